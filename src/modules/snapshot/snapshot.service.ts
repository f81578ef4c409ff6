import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { buildDecisionSnapshot, type Campaign, type DecisionSnapshot, type SnapshotIssue } from '../../engine/policy/snapshot';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { HealthService } from '../../platform/health/health.service';
import { CatalogRepository } from '../catalog';
import type { CampaignEntity, CreativeEntity } from '../catalog';

const POLL_INTERVAL_MS = 1000;
const COALESCE_MS = 20;

export interface SnapshotState {
  readonly snapshot: DecisionSnapshot;
  readonly configVersion: number;
  readonly builtAtMs: number;
  readonly issues: readonly SnapshotIssue[];
}

/**
 * Keeps the immutable decision snapshot of this node. Rebuilt on a change event (pub/sub or
 * in-process) and on a 1 s version poll; built fully, validated, then swapped in one assignment.
 * A build that fails keeps the previous snapshot and raises `musicboss_snapshot_build_failures_total`.
 */
@Injectable()
export class SnapshotService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Snapshot');
  private state: SnapshotState | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pending: NodeJS.Timeout | null = null;
  private building: Promise<void> | null = null;
  private rebuildRequested = false;
  private unsubscribe: (() => void) | null = null;
  private readonly failures: Counter;
  private readonly versionGauge: Gauge;
  private readonly listeners = new Set<(state: SnapshotState) => void>();

  constructor(
    private readonly repo: CatalogRepository,
    private readonly bus: ConfigChangeBus,
    metrics: MetricsService,
    health: HealthService,
  ) {
    this.failures = new Counter({ name: 'musicboss_snapshot_build_failures_total', help: 'Decision snapshot builds that failed (the old snapshot was kept)', registers: [metrics.registry] });
    this.versionGauge = new Gauge({ name: 'musicboss_snapshot_version', help: 'Configuration version of the decision snapshot in use', registers: [metrics.registry] });
    health.register(
      'snapshot',
      async () => (this.state ? { status: 'up', detail: `version ${this.state.configVersion}` } : { status: 'down', detail: 'no decision snapshot built yet' }),
      { critical: true },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.rebuild();
    this.unsubscribe = this.bus.onChange(() => this.requestRebuild());
    this.timer = setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    if (this.pending) clearTimeout(this.pending);
  }

  /** The snapshot in use. Throws only before the first successful build (boot fails then). */
  current(): SnapshotState {
    if (!this.state) throw new Error('decision snapshot not built yet');
    return this.state;
  }

  onSwap(listener: (state: SnapshotState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private requestRebuild(): void {
    if (this.pending) return;
    // Coalesces a burst of edits (e.g. a seed script) into one rebuild.
    this.pending = setTimeout(() => {
      this.pending = null;
      void this.rebuild();
    }, COALESCE_MS);
    this.pending.unref();
  }

  private async poll(): Promise<void> {
    try {
      const version = await this.bus.currentVersion();
      if (!this.state || version !== this.state.configVersion) this.requestRebuild();
    } catch {
      // Database unreachable: keep serving the last snapshot.
    }
  }

  /** Builds and swaps; concurrent calls are serialized and a request during a build triggers one more. */
  async rebuild(): Promise<void> {
    if (this.building) {
      this.rebuildRequested = true;
      return this.building;
    }
    this.building = this.buildOnce().finally(() => {
      this.building = null;
    });
    await this.building;
    if (this.rebuildRequested) {
      this.rebuildRequested = false;
      await this.rebuild();
    }
  }

  private async buildOnce(): Promise<void> {
    try {
      const configVersion = await this.bus.currentVersion();
      if (this.state && this.state.configVersion === configVersion) return;
      const [slots, campaigns, policies] = await Promise.all([this.repo.listSlots(), this.repo.listServableCampaigns(), this.repo.listPolicies()]);
      const creatives = await this.repo.listCreatives(campaigns.map((c) => c.id));
      const { snapshot, issues } = buildDecisionSnapshot({
        version: String(configVersion),
        slots: slots.map((s) => ({ id: s.id, key: s.key, name: s.name, format: s.format, platforms: s.platforms, maxAdsPerResponse: s.maxAdsPerResponse, adLoadCap: s.adLoadCap })),
        campaigns: campaigns.map((c) => toEngineCampaign(c, creatives)),
        policies: policies.map((p) => ({ slotId: p.slotId, branches: p.branches })),
      });
      const state: SnapshotState = { snapshot, configVersion, builtAtMs: Date.now(), issues };
      this.state = state;
      this.versionGauge.set(configVersion);
      if (issues.length) this.logger.warn(`snapshot ${configVersion} left out: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
      for (const listener of this.listeners) listener(state);
    } catch (error) {
      this.failures.inc();
      this.logger.error(`decision snapshot build failed, keeping version ${this.state?.configVersion ?? 'none'}: ${error instanceof Error ? error.message : String(error)}`);
      if (!this.state) throw error;
    }
  }
}

function toEngineCampaign(c: CampaignEntity, creatives: readonly CreativeEntity[]): Campaign {
  return {
    id: c.id,
    name: c.name,
    category: c.category,
    status: c.status,
    priority: c.priority,
    platforms: c.platforms,
    slotIds: c.slotIds,
    schedule: c.schedule,
    frequencyCaps: c.frequencyCaps,
    goal: c.goal,
    explorationBudget: c.explorationBudget,
    tags: c.tags,
    suppressOnConversion: c.suppressOnConversion,
    creatives: creatives
      .filter((cr) => cr.campaignId === c.id)
      .map((cr) => ({ id: cr.id, campaignId: cr.campaignId, type: cr.type, formats: cr.formats, title: cr.title, assetUrl: cr.assetUrl, landingUrl: cr.landingUrl, weight: cr.weight })),
  };
}
