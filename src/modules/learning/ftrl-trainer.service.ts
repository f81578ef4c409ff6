import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { biasIndexOf, buildCandidateFeatures, DEFAULT_FEATURE_SPEC, prepareRequestFeatures } from '../../engine/features/build-features';
import { decodeState, DEFAULT_FTRL_PARAMS, encodeState, encodeWeights, FtrlProximal, type FtrlParams } from '../../engine/ftrl/ftrl-proximal';
import { type ProgressiveMetrics, ProgressiveValidator } from '../../engine/ftrl/progressive-validator';
import { createRng, type Rng } from '../../engine/util/rng';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { SnapshotService } from '../snapshot';
import { type LabelledExample, LabelledExampleBus } from '../labels';
import { type LabelledCursor, LabelledExamplesRepository } from '../labels';
import { LearningLease } from '../labels';
import { ModelRegistryService } from '../models';
import { campaignFeatureInput, requestFeatureInput } from './ftrl-candidate-model';
import { FTRL_MODEL_ID, LearningSettings } from './learning-settings';

export const FTRL_PARAMS: FtrlParams = { ...DEFAULT_FTRL_PARAMS, hashBits: DEFAULT_FEATURE_SPEC.hashBits, biasIndex: biasIndexOf(DEFAULT_FEATURE_SPEC) };

const REPLAY_PAGE = 5000;

function cursorOf(value: unknown): LabelledCursor | null {
  const c = value as Partial<LabelledCursor> | null | undefined;
  return c && typeof c.labelledAtMs === 'number' && typeof c.decisionId === 'string' ? { labelledAtMs: c.labelledAtMs, decisionId: c.decisionId } : null;
}

function isAfter(a: LabelledCursor, b: LabelledCursor): boolean {
  return a.labelledAtMs > b.labelledAtMs || (a.labelledAtMs === b.labelledAtMs && a.decisionId > b.decisionId);
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Worker side of the FTRL model, on the worker holding the LearningLease (whose label sweeper
 * produces every example): learns from every labelled example (LabelledExampleBus), scores each
 * one before learning from it (progressive validation), and publishes serving weights plus the full
 * learner state as a new active registry version at most every ftrlPublishIntervalMs. On boot, and
 * when an operator rolls the model back or promotes another version, it resumes from that version's state.
 */
@Injectable()
export class FtrlTrainerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FtrlTrainer');
  private learner = new FtrlProximal(FTRL_PARAMS);
  private validator: ProgressiveValidator;
  private readonly rng: Rng = createRng(0x2f7a1);
  private pendingExamples = 0;
  private lastPublishedVersion: number | null = null;
  /** The last example learned, in labelled_examples order; published with each version. */
  private cursor: LabelledCursor | null = null;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = true;
  private unsubscribe: (() => void)[] = [];
  private readonly gauges: Record<'logloss' | 'auc' | 'examples', Gauge>;

  constructor(
    private readonly bus: LabelledExampleBus,
    private readonly registry: ModelRegistryService,
    private readonly snapshots: SnapshotService,
    private readonly settings: LearningSettings,
    private readonly configBus: ConfigChangeBus,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    private readonly lease: LearningLease,
    private readonly stored: LabelledExamplesRepository,
    metrics: MetricsService,
  ) {
    this.validator = new ProgressiveValidator(settings.ftrlValidationWindow);
    // A worker taking the lease over continues from the last version the previous holder published,
    // then learns what that holder swept after publishing it.
    lease.beforeHolding(() => this.serialized(() => this.takeOver()));
    const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [metrics.registry] });
    this.gauges = {
      logloss: gauge('musicboss_ftrl_progressive_logloss', 'FTRL progressive-validation logloss over the recent window (predict before update)'),
      auc: gauge('musicboss_ftrl_progressive_auc', 'FTRL progressive-validation AUC over the recent window'),
      examples: gauge('musicboss_ftrl_examples_seen', 'Labelled examples the FTRL learner has trained on'),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'api') return;
    this.stopped = false;
    // Embedded mode holds the lease from the start: catch up on what the last run swept after its last version.
    await this.serialized(() => (this.lease.isHeld ? this.takeOver() : this.resumeFromActive()));
    this.unsubscribe.push(this.bus.register(FTRL_MODEL_ID, (examples) => this.learn(examples)));
    const onChange = () => void this.serialized(() => this.resumeFromActive()).catch(() => undefined);
    this.unsubscribe.push(this.registry.onActiveChange(onChange), this.configBus.onChange(onChange));
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const off of this.unsubscribe) off();
    await this.chain.catch(() => undefined);
  }

  metrics(): ProgressiveMetrics & { examplesSeen: number } {
    return { ...this.validator.metrics(), examplesSeen: this.learner.examplesSeen };
  }

  /** Trains on a batch (synchronous: no other work interleaves with an update). */
  learn(examples: readonly LabelledExample[]): void {
    const { snapshot } = this.snapshots.current();
    const rate = this.settings.ftrlNegativeSampleRate;
    for (const example of examples) {
      const at = { labelledAtMs: example.labelledAtMs, decisionId: example.decisionId };
      if (this.cursor === null || isAfter(at, this.cursor)) this.cursor = at;
      const features = (example.features ?? {}) as { user?: Record<string, unknown>; context?: Record<string, unknown> };
      const { user, context } = requestFeatureInput(features.user, features.context);
      const campaign = snapshot.campaignsById.get(example.campaignId) ?? { id: example.campaignId };
      const indices = buildCandidateFeatures(prepareRequestFeatures(user, context, DEFAULT_FEATURE_SPEC), campaignFeatureInput(campaign));
      if (example.label === 0 && rate < 1 && this.rng.next() >= rate) {
        // A dropped negative still counts for validation: the metrics describe the full stream.
        this.validator.add(0, this.learner.predict(indices));
        continue;
      }
      const weight = example.label === 0 && rate < 1 ? 1 / rate : 1;
      this.validator.add(example.label, this.learner.update(indices, example.label, weight));
    }
    this.pendingExamples += examples.length;
  }

  /** Publishes now if anything was learned since the last version. Returns the new version, if any. */
  publishNow(): Promise<number | null> {
    return this.serialized(() => this.publish());
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.publishNow()
        .catch((error: Error) => this.logger.warn(`FTRL publish failed, will retry: ${error.message}`))
        .finally(() => this.schedule());
    }, this.settings.ftrlPublishIntervalMs);
    this.timer.unref();
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async publish(): Promise<number | null> {
    // Only the lease holder learns (its sweeper feeds it); one that just lost the lease must not
    // publish over the versions of the worker that took it over.
    if (this.pendingExamples === 0 || !this.lease.isHeld) return null;
    const pending = this.pendingExamples;
    const m = this.metrics();
    const rate = this.settings.ftrlNegativeSampleRate;
    const weights = this.learner.exportWeights();
    const published = await this.registry.registerVersion({
      modelId: FTRL_MODEL_ID,
      kind: 'ftrl',
      status: 'active',
      metrics: {
        progressiveLogloss: finiteOrNull(m.logloss),
        progressiveAuc: finiteOrNull(m.auc),
        calibration: finiteOrNull(m.calibration),
        positiveRate: finiteOrNull(m.positiveRate),
        window: m.count,
        examplesSeen: m.examplesSeen,
        nonzeroWeights: weights.indices.length,
      },
      lineage: {
        algorithm: 'FTRL-Proximal (McMahan et al. 2013, Algorithm 1), unregularised bias',
        params: this.learner.params,
        featureSpec: { hashBits: DEFAULT_FEATURE_SPEC.hashBits, seed: DEFAULT_FEATURE_SPEC.seed, crosses: DEFAULT_FEATURE_SPEC.crosses.length },
        negativeSampleRate: rate,
        recalibration: rate < 1 ? 'importance weight 1/rate on kept negatives (unbiased; no serving correction)' : 'none',
        parentVersion: this.lastPublishedVersion,
        source: 'labelled examples (LabelledExampleBus)',
        // Where a worker taking the lease over resumes reading labelled_examples.
        cursor: this.cursor,
      },
      artifact: Buffer.from(encodeWeights(weights)),
      state: Buffer.from(encodeState(this.learner.toState())),
      // isHeld can lag a lost lock session by a beat; the fence refuses the version once another worker has taken over.
      fence: (manager) => this.lease.fence(manager),
    });
    this.pendingExamples -= pending;
    this.lastPublishedVersion = published.version;
    this.gauges.logloss.set(finiteOrNull(m.logloss) ?? 0);
    this.gauges.auc.set(finiteOrNull(m.auc) ?? 0);
    this.gauges.examples.set(m.examplesSeen);
    await this.registry.prune(FTRL_MODEL_ID, this.settings.ftrlKeepVersions).catch((error: Error) => this.logger.warn(`prune failed: ${error.message}`));
    return published.version;
  }

  /**
   * On taking the lease: the active version's state, then every stored example after its cursor, or
   * after the newest version's cursor when a rollback made an older version active: the examples
   * up to the newest version are the ones the rollback discarded, and learning them again would
   * rebuild the model rolled back.
   */
  private async takeOver(): Promise<void> {
    await this.resumeFromActive();
    if (this.cursor === null) return;
    const [newest] = await this.registry.versions(FTRL_MODEL_ID, 1);
    const newestCursor = newest && newest.version !== this.lastPublishedVersion ? cursorOf(newest.lineage.cursor) : null;
    if (newestCursor !== null && isAfter(newestCursor, this.cursor)) this.cursor = newestCursor;
    let replayed = 0;
    for (;;) {
      const page = await this.stored.after(this.cursor, REPLAY_PAGE);
      if (page.length === 0) break;
      this.learn(page);
      replayed += page.length;
    }
    if (replayed > 0) this.logger.log(`FTRL learned ${replayed} stored examples swept after ftrl-main v${this.lastPublishedVersion}`);
  }

  /** Continues from the active version's stored state when it isn't the one this learner published last. */
  private async resumeFromActive(): Promise<void> {
    const active = await this.registry.active(FTRL_MODEL_ID);
    if (!active || active.version === this.lastPublishedVersion) return;
    const bytes = await this.registry.state(FTRL_MODEL_ID, active.version);
    if (!bytes) {
      this.logger.warn(`ftrl-main v${active.version} has no stored state; keeping the current learner`);
      return;
    }
    const decoded = decodeState(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const restored = decoded.kind === 'ok' ? FtrlProximal.fromState(decoded.value) : decoded;
    if (restored.kind !== 'ok') {
      this.logger.error(`cannot restore ftrl-main v${active.version}: ${restored.reason}`);
      return;
    }
    this.learner = restored.value;
    this.validator = new ProgressiveValidator(this.settings.ftrlValidationWindow);
    this.lastPublishedVersion = active.version;
    this.cursor = cursorOf(active.lineage.cursor);
    this.pendingExamples = 0;
    this.logger.log(`FTRL resumed from ftrl-main v${active.version} (${this.learner.examplesSeen} examples)`);
  }
}
