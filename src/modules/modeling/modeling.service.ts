import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, NotFoundException, ConflictException, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { CounterStore } from '../../engine/caps/counter-store';
import { explorationCounterKey } from '../../engine/caps/frequency-caps';
import { COUNTER_STORE } from '../../platform/counters/counters.provider';
import { JobHandler } from '../../platform/jobs/job-handler.decorator';
import type { JobContext } from '../../platform/jobs/job-driver';
import { MODELING_JOBS } from './jobs';
import { type FlowRequest, JobsService } from '../../platform/jobs/jobs.service';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { CatalogRepository } from '../catalog';
import { FeedbackSettings, LabelledExamplesRepository } from '../labels';
import { FeedbackClock } from '../../platform/feedback-clock';
import { ModelingPipeline, RunAbandoned } from './modeling-pipeline';
import { MODELING_STAGES, type ModelingRun, type ModelingStage, ModelingRunsRepository, type RunTrigger } from './modeling-runs.repository';
import { campaignModelId, ModelingSettings } from './modeling-settings';

export interface ModelingStagePayload {
  runId: string;
  stage: ModelingStage;
  /** Bumped when a failed run is resumed, so the resumed flow gets fresh job ids. */
  generation: number;
}

/** Share of the exploration budget that must be labelled before a run starts (the rest may still be in its attribution window). */
const LABELLED_SHARE_TO_START = 0.9;
/** After the budget is spent, a run starts anyway once the attribution window and this grace have passed. */
const LABEL_GRACE_MS = 5 * 60_000;

/**
 * Automatic modeling: starts runs (exploration budget spent, on demand, on the re-modeling cadence)
 * as a flow of one job per stage on the 'modeling' queue, and executes each stage once: a stage with
 * a stored output is skipped, so a retried or resumed run continues where it stopped.
 */
@Injectable()
export class ModelingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Modeling');
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  /** campaign id → feedback time when this process first saw its exploration budget spent. */
  private readonly spentSince = new Map<string, number>();

  constructor(
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    private readonly jobs: JobsService,
    private readonly runs: ModelingRunsRepository,
    private readonly catalog: CatalogRepository,
    private readonly labelled: LabelledExamplesRepository,
    private readonly pipeline: ModelingPipeline,
    private readonly settings: ModelingSettings,
    private readonly clock: FeedbackClock,
    private readonly feedback: FeedbackSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.role === 'api') return;
    this.schedule();
  }

  /** (Re)arms the periodic check with the current interval. */
  schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.check().catch((error: Error) => this.logger.warn(`modeling check failed: ${error.message}`)), this.settings.checkIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checking?.catch(() => undefined);
  }

  async campaignExists(campaignId: string): Promise<boolean> {
    return (await this.catalog.findCampaign(campaignId)) !== null;
  }

  /** Starts a run for a campaign unless one with the same trigger key exists. */
  async startRun(campaignId: string, trigger: RunTrigger, options: Record<string, unknown> = {}, dedupeKey = `${trigger}:${campaignId}:${randomUUID()}`): Promise<ModelingRun | null> {
    const variant = options.variant === 'gbdt-lr' ? 'gbdt-lr' : 'gbdt';
    const run = await this.runs.create({ runId: randomUUID(), campaignId, modelId: campaignModelId(campaignId, variant), trigger, dedupeKey, options });
    if (!run) return null;
    await this.jobs.enqueueFlow(stageFlow(run.runId, 0));
    this.logger.log(`modeling run ${run.runId} (${trigger}) queued for campaign ${campaignId}`);
    return run;
  }

  /** Re-enqueues a failed run: stages that already have an output are skipped. */
  async resume(runId: string): Promise<ModelingRun> {
    const run = await this.runs.get(runId);
    if (!run) throw new NotFoundException(`modeling run ${runId} does not exist`);
    if (run.status !== 'failed') throw new ConflictException(`modeling run ${runId} is ${run.status}; only a failed run can be resumed`);
    const generation = Number(run.options.generation ?? 0) + 1;
    await this.runs.setGeneration(runId, generation);
    await this.runs.requeue(runId);
    await this.jobs.enqueueFlow(stageFlow(runId, generation));
    return (await this.runs.get(runId))!;
  }

  @JobHandler('modeling.stage')
  async handleStage(payload: ModelingStagePayload, context: JobContext): Promise<void> {
    const run = await this.runs.get(payload.runId);
    if (!run || run.status === 'failed' || run.status === 'succeeded') return;
    if (await this.runs.hasOutput(run.runId, payload.stage)) return;
    await this.runs.markRunning(run.runId, payload.stage);
    try {
      const { output, artifact } = await this.pipeline.runStage(run, payload.stage);
      const insufficient = payload.stage === 'assemble' ? (output as { insufficient: string | null }).insufficient : null;
      await this.runs.saveOutput(run.runId, payload.stage, output, artifact, context.attempt);
      if (insufficient) {
        // Not an error to retry: the later stages of the flow see the failed run and do nothing.
        await this.runs.markFailed(run.runId, payload.stage, `not enough data: ${insufficient}`);
        return;
      }
      if (payload.stage === 'report') await this.runs.markSucceeded(run.runId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RunAbandoned || context.attempt >= MODELING_JOBS['modeling.stage'].attempts) {
        await this.runs.markFailed(run.runId, payload.stage, message);
        if (error instanceof RunAbandoned) return;
      }
      throw error;
    }
  }

  /**
   * Starts exploration runs for campaigns whose exploration budget is spent (once most of it is
   * labelled, or the attribution window has surely closed), and re-modeling runs once per cadence
   * window for campaigns that were modeled before. Dedupe keys make this safe on every worker.
   */
  check(): Promise<void> {
    if (this.checking) return this.checking;
    this.checking = this.checkOnce().finally(() => (this.checking = null));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const nowMs = this.clock.now();
    const explorable = await this.catalog.explorableCampaigns();
    const explored = await this.runs.campaignsWithRuns('exploration');
    const pending = explorable.filter((c) => !explored.has(c.id));
    if (pending.length > 0) {
      const spent = await this.counters.get(pending.map((c) => explorationCounterKey(c.id)));
      for (const [i, campaign] of pending.entries()) {
        if ((spent[i] ?? 0) < campaign.explorationBudget) continue;
        const since = this.spentSince.get(campaign.id) ?? nowMs;
        this.spentSince.set(campaign.id, since);
        const labelled = (await this.labelled.countForCampaign(campaign.id)) >= LABELLED_SHARE_TO_START * campaign.explorationBudget;
        if (!labelled && nowMs - since < this.feedback.attributionWindowMs + LABEL_GRACE_MS) continue;
        await this.startRun(campaign.id, 'exploration', {}, `exploration:${campaign.id}`);
      }
    }
    const live = await this.catalog.activeCampaignIds();
    // Cadence windows are compared with run creation times, which the database stamps from the wall
    // clock; the feedback clock may run ahead of it (tests move it past attribution windows).
    const window = Math.floor(Date.now() / this.settings.remodelCadenceMs);
    const modeled = new Set([...explored, ...(await this.runs.campaignsWithRuns('manual'))]);
    for (const id of live) {
      if (!modeled.has(id)) continue;
      const latest = (await this.runs.list({ campaignId: id, limit: 1 }))[0];
      // The first window after a campaign's first run is skipped: its model is fresh.
      if (latest && Math.floor(Date.parse(latest.createdAt) / this.settings.remodelCadenceMs) >= window) continue;
      await this.startRun(id, 'schedule', {}, `schedule:${id}:${window}`);
    }
  }
}

/** The stages as a chain: report ← register ← … ← assemble, so BullMQ runs assemble first and each stage after the one before. */
export function stageFlow(runId: string, generation: number): FlowRequest<'modeling.stage'> {
  let flow: FlowRequest<'modeling.stage'> | null = null;
  for (const stage of MODELING_STAGES) {
    flow = { name: 'modeling.stage', payload: { runId, stage, generation }, children: flow ? [flow] : undefined };
  }
  return flow!;
}
