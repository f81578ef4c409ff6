import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import { JobsService } from '../../platform/jobs/jobs.service';
import { APP_CONFIG, PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { ApiKeyService } from '../auth';
import { PackageService } from '../audiences';
import { ProfileImportService } from '../audiences';
import type { CreateCampaignDto, CreateSlotDto, PutPolicyDto } from '../catalog';
import { CatalogRepository } from '../catalog';
import { CampaignService, CreativeService, PolicyService, SlotService } from '../catalog';
import { ListeningImportService } from '../listening';
import {
  creativeTypeFor,
  DEMO_ADS,
  DEMO_APP_KEY_NAME,
  DEMO_PACKAGES,
  DEMO_POLICIES,
  DEMO_PROFILE_COUNT,
  DEMO_SCHEDULE,
  DEMO_SLOT_NAME,
  DEMO_SLOTS,
  demoListeningLines,
  demoProfileLines,
  type DemoAdLetter,
  type DemoSlotName,
} from './demo-data';

export interface DemoConfigReport {
  created: { slots: number; campaigns: number; packages: number; policies: number };
  slotKey: string;
  /** The 'demo app' slot-client key when this run created it (shown once), else null. */
  demoKey: string | null;
}

export interface DemoProfilesReport {
  inserted: number;
  updated: number;
  paidUsers: number;
  /** (listener, item) play pairs stored for CF and item2vec. */
  plays: number;
  elapsedMs: number;
}

/**
 * Loads the demo data set through the same services the REST API uses, so it is valid by
 * construction. Idempotent: slots by key, campaigns by name, packages by key, policies and the
 * demo key only when absent; profiles are upserts. On a first start in embedded mode (no slot and
 * no campaign yet, MUSICBOSS_DEMO on) it seeds the configuration before the API listens and
 * imports the listeners in the background, so the first start stays quick.
 */
@Injectable()
export class DemoSeedService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Demo');
  private background: Promise<void> | null = null;
  private isStopping = false;

  constructor(
    private readonly slots: SlotService,
    private readonly campaigns: CampaignService,
    private readonly creatives: CreativeService,
    private readonly policies: PolicyService,
    private readonly configRepo: CatalogRepository,
    private readonly packages: PackageService,
    private readonly profiles: ProfileImportService,
    private readonly apiKeys: ApiKeyService,
    private readonly listening: ListeningImportService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoData || this.role === 'worker') return;
    if (!(await this.isEmptyInstall())) {
      // Later starts of a demo install repeat where to send a first request (the key itself was shown once).
      const slotKey = DEMO_SLOTS[DEMO_SLOT_NAME].key;
      if (await this.configRepo.findSlot(slotKey)) process.stdout.write(demoBanner({ created: { slots: 0, campaigns: 0, packages: 0, policies: 0 }, slotKey, demoKey: null }, this.baseUrl(), false));
      return;
    }
    const started = Date.now();
    let report: DemoConfigReport;
    try {
      report = await this.seedConfiguration();
    } catch (error) {
      // A demo that cannot load must not keep the platform from starting.
      this.logger.error(`demo data failed to load: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    process.stdout.write(demoBanner(report, this.baseUrl()));
    this.logger.log(`demo configuration loaded in ${Date.now() - started} ms; importing ${DEMO_PROFILE_COUNT} listeners in the background`);
    this.background = this.seedProfiles(DEMO_PROFILE_COUNT).then(
      (r) => this.logger.log(`demo listeners loaded: ${r.inserted} new, ${r.updated} updated, ${r.paidUsers} paid users, ${r.plays} listening pairs, in ${r.elapsedMs} ms`),
      (error) => {
        if (!this.isStopping) this.logger.error(`demo listeners failed to load: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.isStopping = true;
    await this.background;
  }

  /** Stops the background listener import of a first start after its current batch (what a shutdown does). */
  async stopBackground(): Promise<void> {
    this.isStopping = true;
    await this.background;
    this.background = null;
    this.isStopping = false;
  }

  /** Resolves once the background listener import of a first start has finished (or at once if none runs). */
  async whenIdle(): Promise<void> {
    await this.background;
  }

  /** A fresh install: no slot and no campaign. Anything else is somebody's data and is never touched. */
  async isEmptyInstall(): Promise<boolean> {
    const [slots, campaigns] = await Promise.all([this.configRepo.listSlots(), this.configRepo.listCampaigns({})]);
    return slots.length === 0 && campaigns.length === 0;
  }

  /** Slots, the six ads with creatives (active), packages, policies, and the 'demo app' key. Idempotent. */
  async seedConfiguration(): Promise<DemoConfigReport> {
    const created = { slots: 0, campaigns: 0, packages: 0, policies: 0 };
    const slotIds = {} as Record<DemoSlotName, string>;
    for (const [name, spec] of Object.entries(DEMO_SLOTS) as [DemoSlotName, (typeof DEMO_SLOTS)[DemoSlotName]][]) {
      const existing = await this.configRepo.findSlot(spec.key);
      if (existing) slotIds[name] = existing.id;
      else {
        slotIds[name] = (await this.slots.createSlot(spec as CreateSlotDto, null)).id;
        created.slots++;
      }
    }

    const byName = new Map((await this.configRepo.listCampaigns({})).map((c) => [c.name, c]));
    const adIds = {} as Record<DemoAdLetter, string>;
    for (const [letter, ad] of Object.entries(DEMO_ADS) as [DemoAdLetter, (typeof DEMO_ADS)[DemoAdLetter]][]) {
      const existing = byName.get(ad.name);
      if (existing) {
        adIds[letter] = existing.id;
        continue;
      }
      const dto = {
        name: ad.name,
        category: ad.category,
        priority: ad.priority,
        platforms: ad.platforms,
        slots: ad.slots.map((s) => DEMO_SLOTS[s].key),
        schedule: { ...DEMO_SCHEDULE, dayParting: ad.dayParting ?? null },
        ...(ad.tags ? { tags: ad.tags } : {}),
        ...(ad.goal ? { goal: ad.goal } : {}),
        ...(ad.frequencyCaps ? { frequencyCaps: ad.frequencyCaps } : {}),
      } as unknown as CreateCampaignDto;
      const campaign = await this.campaigns.createCampaign(dto, null);
      const formats = [...new Set(ad.slots.map((s) => DEMO_SLOTS[s].format))];
      for (const type of [...new Set(formats.map(creativeTypeFor))]) {
        await this.creatives.addCreative(
          campaign.id,
          {
            type,
            formats: formats.filter((f) => creativeTypeFor(f) === type),
            title: `${letter} ${type === 'audio' ? 'audio spot' : 'creative'}`,
            assetUrl: `https://cdn.example.com/${letter}.${type === 'audio' ? 'mp3' : 'jpg'}`,
            landingUrl: `https://music.example.com/promo/${letter}`,
            weight: 1,
          } as never,
          null,
        );
      }
      await this.campaigns.changeStatus(campaign.id, 'active', '*', null);
      adIds[letter] = campaign.id;
      created.campaigns++;
    }

    for (const pkg of DEMO_PACKAGES) {
      if ((await this.packages.get(pkg.key)).kind === 'ok') continue;
      const result = await this.packages.create({ key: pkg.key, name: pkg.name, kind: pkg.kind, rule: pkg.rule, op: pkg.op, packages: pkg.packages });
      if (result.kind !== 'ok') throw new Error(`demo package ${pkg.key}: ${JSON.stringify(result)}`);
      created.packages++;
    }

    for (const [name, branches] of Object.entries(DEMO_POLICIES) as [DemoSlotName, (typeof DEMO_POLICIES)[DemoSlotName]][]) {
      if (await this.configRepo.findPolicy(slotIds[name])) continue;
      const dto = {
        branches: branches.map((b) => ({
          name: b.name,
          audience: b.audience,
          campaignIds: b.ads.map((l) => adIds[l]),
          method: b.method,
          ...(b.modelId ? { modelId: b.modelId } : {}),
          ...(b.arms ? { arms: b.arms } : {}),
        })),
      } as unknown as PutPolicyDto;
      await this.policies.putPolicy(slotIds[name], dto, undefined, null);
      created.policies++;
    }

    let demoKey: string | null = null;
    if (!(await this.apiKeys.list()).some((k) => k.name === DEMO_APP_KEY_NAME && k.role === 'slot-client' && !k.revokedAt)) {
      demoKey = (await this.apiKeys.create({ name: DEMO_APP_KEY_NAME, role: 'slot-client', scope: null })).key;
    }
    return { created, slotKey: DEMO_SLOTS[DEMO_SLOT_NAME].key, demoKey };
  }

  /**
   * `count` synthetic listeners through the profile import (batched upserts; rule packages
   * recompute after it), then the paid-users list uploaded from the listeners who have a paid package.
   */
  async seedProfiles(count: number): Promise<DemoProfilesReport> {
    const started = Date.now();
    const paid: string[] = [];
    const imported = await this.profiles.importStream(demoProfileLines(count, { paid, isStopped: () => this.isStopping }), 'ndjson', { limitBytes: Number.MAX_SAFE_INTEGER });
    if (imported.kind !== 'ok') throw new Error(`demo profile import: ${JSON.stringify(imported)}`);
    if (!this.isStopping) {
      const uploaded = await this.packages.uploadMembers('paid-users', oneChunk(paid.join('\n') + '\n'), { isPartial: true, limitBytes: Number.MAX_SAFE_INTEGER });
      if (uploaded.kind !== 'ok') throw new Error(`demo paid-users upload: ${JSON.stringify(uploaded)}`);
    }
    let plays = 0;
    if (!this.isStopping) {
      // 'replace' sets each pair's count, so loading the history twice leaves it unchanged.
      const history = await this.listening.importPlays(linesIn(demoListeningLines(count), 5_000, () => this.isStopping), { format: 'tsv', mode: 'replace', limitBytes: Number.MAX_SAFE_INTEGER });
      plays = history.accepted;
      if (plays > 0 && !this.isStopping) {
        // item2vec is heavier; it is one POST /v1/listening/train away.
        await this.jobs.enqueue('listening.train', { kind: 'cf', requestedAtMs: Date.now() });
      }
    }
    return { inserted: imported.value.inserted, updated: imported.value.updated, paidUsers: paid.length, plays, elapsedMs: Date.now() - started };
  }

  private baseUrl(): string {
    return (this.config.publicBaseUrl ?? `http://localhost:${this.config.port}`).replace(/\/$/, '');
  }
}

async function* oneChunk(text: string): AsyncGenerator<string> {
  yield text;
}

async function* linesIn(lines: Iterable<string>, chunk: number, isStopped: () => boolean): AsyncGenerator<string> {
  let buffer: string[] = [];
  for (const line of lines) {
    buffer.push(line);
    if (buffer.length >= chunk) {
      yield buffer.join('\n') + '\n';
      buffer = [];
      await new Promise((resolve) => setImmediate(resolve));
      if (isStopped()) return;
    }
  }
  if (buffer.length > 0) yield buffer.join('\n') + '\n';
}

/** What a newcomer sees at boot: the demo slot key, the demo app key (once) and a curl to paste. */
export function demoBanner(report: DemoConfigReport, baseUrl: string, isFirstLoad = true): string {
  const key = report.demoKey ?? '$DEMO_KEY';
  const lines = [
    '',
    isFirstLoad ? 'MusicBoss loaded the demo data (set MUSICBOSS_DEMO=false to skip it on a first start).' : "MusicBoss demo data is installed ($DEMO_KEY = the 'demo app' key printed on the first start).",
    ...(report.demoKey ? ["MusicBoss created the 'demo app' slot-client key (shown once, store it now):", `  ${report.demoKey}`] : []),
    `Demo slot: ${report.slotKey}. Ask for an ad:`,
    `  curl -s -H "Authorization: Bearer ${key}" -H 'content-type: application/json' \\`,
    `    -d '{"slotId":"${report.slotKey}","userId":"u-000042","platform":"ios","context":{"hour":21,"genre":"mandopop"}}' ${baseUrl}/v1/decisions`,
    '',
  ];
  return lines.join('\n') + '\n';
}
