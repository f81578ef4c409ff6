import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { borrowedCtr, similarCampaigns } from '../../engine/cf/campaign-similarity';
import { nearestItems } from '../../engine/item2vec/vectors';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { validationError } from '../../platform/http/validation';
import { JobsService } from '../../platform/jobs/jobs.service';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { invalid, ok, type ServiceResult } from '../../platform/http/service-result';
import { PackageRepository, type PackageRecord } from '../audiences';
import { ScorerRegistry } from '../delivery';
import { SnapshotService } from '../snapshot';
import { CfColdStartModel } from './cf-cold-start.model';
import { pca2, scatterSvg } from './item-map';
import type { ColdStartSettings } from './cold-start-settings';
import type { TrainDto } from './listening.dto';
import { ListeningRepository } from './listening.repository';
import { ListeningStateService } from './listening-state.service';

export interface SimilarItemView {
  itemId: string;
  name: string | null;
  genre: string | null;
  sim: number;
}

/** Training and lookalike requests, the similar-items view, cold-start settings, and the CF scorer's registration. */
@Injectable()
export class ListeningService implements OnApplicationBootstrap {
  private registeredId: string | null = null;

  constructor(
    private readonly repository: ListeningRepository,
    private readonly state: ListeningStateService,
    private readonly jobs: JobsService,
    private readonly bus: ConfigChangeBus,
    private readonly packages: PackageRepository,
    private readonly scorers: ScorerRegistry,
    private readonly snapshots: SnapshotService,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  onApplicationBootstrap(): void {
    if (this.role === 'worker') return;
    // One scorer object per model id; it reads the newest state on every call, so reloads need no re-registration.
    this.state.onReload((s) => {
      const id = s.coldStart.modelId;
      if (id === this.registeredId) return;
      if (this.registeredId) this.scorers.unregister(this.registeredId);
      this.scorers.register(
        new CfColdStartModel(id, {
          state: () => this.state.current(),
          feedback: () => this.state.campaignFeedback(),
          model: (modelId) => this.scorers.get(modelId),
        }),
      );
      this.registeredId = id;
    });
  }

  async queueTraining(body: TrainDto): Promise<{ queued: true; kind: string; requestedAtMs: number }> {
    const requestedAtMs = Date.now();
    const item2vec = body.kind === 'item2vec' ? { ...(body.dim ? { dim: body.dim } : {}), ...(body.epochs ? { epochs: body.epochs } : {}), ...(body.minCount ? { minCount: body.minCount } : {}) } : undefined;
    await this.jobs.enqueue('listening.train', { kind: body.kind, requestedAtMs, ...(body.topK ? { topK: body.topK } : {}), ...(item2vec ? { item2vec } : {}), ...(body.seed !== undefined ? { seed: body.seed } : {}) });
    return { queued: true, kind: body.kind, requestedAtMs };
  }

  async models() {
    const s = this.state.current();
    let plays = 0;
    for (const h of s.historyByUserKey.values()) plays += h.length;
    return {
      serving: { cf: s.cf?.version ?? null, item2vec: s.item2vec?.version ?? null },
      data: { listeners: s.historyByUserKey.size, items: s.items.length, pairs: plays },
      versions: await this.repository.models(),
    };
  }

  async coldStart(): Promise<ColdStartSettings> {
    await this.state.refresh();
    return this.state.current().coldStart;
  }

  async setColdStart(settings: ColdStartSettings): Promise<ColdStartSettings> {
    const value: ColdStartSettings = { modelId: settings.modelId, warmModelId: settings.warmModelId ?? null, minListenerTags: settings.minListenerTags, minCampaignImpressions: settings.minCampaignImpressions };
    if (value.warmModelId === value.modelId) throw invalidSettings();
    await this.bus.change((m) => this.repository.saveColdStartSettings(m, value));
    await this.state.refresh();
    return this.state.current().coldStart;
  }

  similar(itemKey: string, k: number) {
    const s = this.state.current();
    const idx = s.itemByKey.get(itemKey);
    if (idx === undefined) return null;
    const view = (i: number, sim: number): SimilarItemView => ({ itemId: s.items[i]?.key ?? String(i), name: s.items[i]?.name ?? null, genre: s.items[i]?.genre ?? null, sim });
    const neighbours = (side: 'iuf' | 'jaccard'): SimilarItemView[] | null => {
      const n = s.cf?.[side];
      if (!n || idx >= n.itemCount) return s.cf ? [] : null;
      const out: SimilarItemView[] = [];
      for (let e = n.offsets[idx]; e < n.offsets[idx + 1] && out.length < k; e++) out.push(view(n.neighbors[e], n.sims[e]));
      return out;
    };
    const model = s.item2vec?.model;
    const item = s.items[idx];
    return {
      item: { itemId: item.key, name: item.name, genre: item.genre, language: item.language },
      versions: { cf: s.cf?.version ?? null, item2vec: s.item2vec?.version ?? null },
      cf: { iuf: neighbours('iuf'), jaccard: neighbours('jaccard') },
      item2vec: model ? (idx < model.itemCount ? nearestItems(model.vectors, model.dim, idx, k).map((r) => view(r.item, r.sim)) : []) : null,
    };
  }

  /**
   * A campaign's items (from its artist and genre tags), the campaigns most like it by item-CF
   * (campaign-to-campaign similarity) with their feedback, and the CTR prior it borrows from them.
   */
  similarCampaigns(campaignId: string, topN: number) {
    const s = this.state.current();
    const campaigns = [...this.snapshots.current().snapshot.campaignsById.values()];
    const target = campaigns.find((c) => c.id === campaignId);
    if (!target) return null;
    const feedback = this.state.campaignFeedback();
    const itemView = (i: number) => ({ itemId: s.items[i]?.key ?? String(i), name: s.items[i]?.name ?? null });
    if (!s.cf) return { campaignId, items: Array.from(s.campaignItems(target), itemView), cfVersion: null, similar: [], borrowed: { ctr: 0, weight: 0 } };
    const sets = campaigns.map((c) => ({ campaignId: c.id, items: s.campaignItems(c) }));
    const similar = (similarCampaigns(sets, s.cf.iuf, topN).get(campaignId) ?? []).map((x) => ({
      ...x,
      name: campaigns.find((c) => c.id === x.campaignId)?.name ?? null,
      impressions: feedback.get(x.campaignId)?.impressions ?? 0,
      clicks: feedback.get(x.campaignId)?.clicks ?? 0,
    }));
    return { campaignId, items: Array.from(s.campaignItems(target), itemView), cfVersion: s.cf.version, similar, borrowed: borrowedCtr(similar, feedback) };
  }

  /** PCA 2-D map of the `count` most-played items' item2vec vectors as SVG, coloured by genre; null without a model. */
  itemMapSvg(count: number): string | null {
    const s = this.state.current();
    const model = s.item2vec?.model;
    if (!model) return null;
    const rows = Array.from({ length: model.itemCount }, (_, i) => i)
      .filter((i) => model.itemCounts[i] > 0)
      .sort((a, b) => model.itemCounts[b] - model.itemCounts[a] || a - b)
      .slice(0, count);
    if (rows.length < 3) return null;
    const { coords, explained } = pca2(model.vectors, model.dim, rows);
    const points = rows.map((i, k) => ({ x: coords[k * 2], y: coords[k * 2 + 1], label: s.items[i]?.name ?? s.items[i]?.key ?? String(i), group: s.items[i]?.genre ?? 'no genre' }));
    const title = `item2vec v${s.item2vec!.version}: ${rows.length} most-played items, PCA (${(explained[0] * 100).toFixed(1)}% + ${(explained[1] * 100).toFixed(1)}% of variance)`;
    return scatterSvg(points, title, 30);
  }

  async queueLookalike(body: { key: string; name?: string; seedPackage: string; targetSize: number; excludePackage?: string; seed?: number }): Promise<ServiceResult<{ queued: true; package: PackageRecord }>> {
    const wanted = [body.seedPackage, ...(body.excludePackage ? [body.excludePackage] : [])];
    const found = new Map((await this.packages.findManyByKeys([...wanted, body.key])).map((p) => [p.key, p]));
    if (!found.has(body.seedPackage)) return invalid('seedPackage', `package '${body.seedPackage}' does not exist`);
    if (body.excludePackage && !found.has(body.excludePackage)) return invalid('excludePackage', `package '${body.excludePackage}' does not exist`);
    if (wanted.includes(body.key)) return invalid('key', 'the lookalike package cannot be its own seed or exclusion');
    if (!(await this.repository.latestArtifact('item2vec'))) return { kind: 'conflict', message: 'no item2vec model has been trained yet (POST /v1/listening/train {"kind":"item2vec"})' };
    const existing = found.get(body.key);
    if (existing && existing.kind !== 'lookalike') return { kind: 'conflict', message: `package '${body.key}' exists and is a ${existing.kind} package` };
    const definition = { seedPackage: body.seedPackage, targetSize: body.targetSize, excludePackage: body.excludePackage ?? null };
    await this.bus.change(async (manager) => {
      if (!existing) await this.packages.insert({ key: body.key, name: body.name ?? body.key, kind: 'lookalike', definition }, manager);
      else await this.packages.updateDefinition(existing.id, { name: body.name ?? existing.name, definition: { ...((existing.definition ?? {}) as object), ...definition } }, manager);
    });
    const requestedAtMs = Date.now();
    await this.jobs.enqueue('listening.lookalike', { packageKey: body.key, seedPackage: body.seedPackage, targetSize: body.targetSize, excludePackage: body.excludePackage ?? null, requestedAtMs, ...(body.seed !== undefined ? { seed: body.seed } : {}) });
    const [record] = await this.packages.findManyByKeys([body.key]);
    return ok({ queued: true, package: record });
  }
}

function invalidSettings() {
  return validationError([{ field: 'warmModelId', problems: ['warmModelId must differ from modelId'] }]);
}
