import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { type CandidateModel, ScorerRegistry } from '../delivery';
import { ModelRegistryService } from './model-registry.service';
import type { ModelKind, ModelVersion } from './model-version';

export type ModelLoader = (version: ModelVersion) => Promise<CandidateModel>;

export const MODEL_POLL_MS = 1000;

/**
 * On API nodes: keeps ScorerRegistry in step with the registry's active versions. Loads on boot,
 * on every change (config bus, local registry notifications) and on a poll, building each model with
 * the loader registered for its kind. A load happens off the request path and ends in one swap.
 */
@Injectable()
export class ModelServingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ModelServing');
  private readonly loaders = new Map<ModelKind, ModelLoader>();
  /** modelId → loaded version (or the version that failed to load, so it isn't retried every poll). */
  private readonly loaded = new Map<string, number>();
  private readonly failed = new Map<string, number>();
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void)[] = [];
  private readonly metricGauge: Gauge<'model' | 'metric'>;
  private readonly versionGauge: Gauge<'model'>;
  pollMs = MODEL_POLL_MS;

  constructor(
    private readonly registry: ModelRegistryService,
    private readonly scorers: ScorerRegistry,
    private readonly bus: ConfigChangeBus,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    metrics: MetricsService,
  ) {
    this.metricGauge = new Gauge({ name: 'musicboss_model_metric', help: 'Metrics of the active version of each model (e.g. FTRL progressive logloss, AUC)', labelNames: ['model', 'metric'], registers: [metrics.registry] });
    this.versionGauge = new Gauge({ name: 'musicboss_model_active_version', help: 'Active version served by this node, per model', labelNames: ['model'], registers: [metrics.registry] });
  }

  /** Registers how to build a servable model of one kind. Loading retries models of that kind. */
  registerLoader(kind: ModelKind, loader: ModelLoader): void {
    this.loaders.set(kind, loader);
    for (const [modelId] of this.failed) this.failed.delete(modelId);
    if (this.timer) this.refresh();
  }

  onApplicationBootstrap(): void {
    if (this.role === 'worker') return;
    this.unsubscribe.push(this.bus.onChange(() => this.refresh()));
    this.unsubscribe.push(this.registry.onActiveChange(() => this.refresh()));
    this.timer = setInterval(() => this.refresh(), this.pollMs);
    this.timer.unref();
    this.refresh();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.unsubscribe) off();
    await this.running?.catch(() => undefined);
  }

  /** Which version of each model this node serves. */
  servedVersions(): Record<string, number> {
    return Object.fromEntries(this.loaded);
  }

  /** Starts a reload (coalesced); resolves when this node is in step with the registry. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.reload().catch((error: Error) => this.logger.warn(`model reload failed, will retry: ${error.message}`));
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async reload(): Promise<void> {
    const active = await this.registry.activeVersions();
    const activeIds = new Set(active.map((a) => a.modelId));
    for (const { modelId, version, kind } of active) {
      if (this.loaded.get(modelId) === version || this.failed.get(modelId) === version) continue;
      const loader = this.loaders.get(kind);
      if (!loader) continue;
      const full = await this.registry.version(modelId, version);
      if (!full) continue;
      try {
        const model = await loader(full);
        this.scorers.register(model);
        this.loaded.set(modelId, version);
        this.failed.delete(modelId);
        this.versionGauge.set({ model: modelId }, version);
        for (const [metric, value] of Object.entries(full.metrics)) {
          if (typeof value === 'number' && Number.isFinite(value)) this.metricGauge.set({ model: modelId, metric }, value);
        }
      } catch (error) {
        this.failed.set(modelId, version);
        this.logger.error(`cannot load ${modelId} v${version} (${kind}): ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    for (const modelId of [...this.loaded.keys()]) {
      if (activeIds.has(modelId)) continue;
      this.scorers.unregister(modelId);
      this.loaded.delete(modelId);
      this.versionGauge.remove({ model: modelId });
    }
  }
}
