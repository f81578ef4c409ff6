import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { CounterStore } from '../../engine/caps/counter-store';
import { explorationCounterKey, OPEN_ENDED_LIFETIME_TTL_S } from '../../engine/caps/frequency-caps';
import { attributeLabel } from '../../engine/feedback/events';
import { COUNTER_STORE } from '../../platform/counters/counters.provider';
import type { Transactions } from '../../platform/database/sql';
import { DATABASE, PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { FeedbackSettings } from './feedback-settings';
import { FeedbackClock } from '../../platform/feedback-clock';
import { LabelSweepRepository, type PendingLabel } from './label-sweep.repository';
import { type LabelledExample, LabelledExampleBus } from './labelled-example-bus';
import { LabelledExamplesRepository } from './labelled-examples.repository';
import { LearningLease } from './learning-lease.service';

const SWEEP_INTERVAL_MS = 1000;
const SWEEP_BATCH = 1000;
// How long a due label waits for its decision-log row (the features) before going out without it.
const DECISION_GRACE_MS = 60_000;
const RETRY_WAIT_MS = 5000;

/**
 * Closes attribution windows: due pending labels become labelled examples (stored once, then handed
 * to LabelledExampleBus), and explored impressions are counted against the campaign's exploration
 * budget once their decision-log row shows they were explored. Runs every second on the worker that
 * holds the LearningLease (the FTRL learner must see every example); the rows are still taken FOR
 * UPDATE SKIP LOCKED, so a lease changing hands mid-sweep never labels a decision twice.
 */
@Injectable()
export class LabelSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LabelSweeper');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    @Inject(DATABASE) private readonly database: Transactions,
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    private readonly pending: LabelSweepRepository,
    private readonly labelled: LabelledExamplesRepository,
    private readonly settings: FeedbackSettings,
    private readonly clock: FeedbackClock,
    private readonly bus: LabelledExampleBus,
    private readonly lease: LearningLease,
  ) {}

  onApplicationBootstrap(): void {
    if (this.role === 'api') return;
    this.timer = setInterval(() => this.kick(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Asks for a sweep soon (e.g. after a click made a positive label due). No-op unless this process holds the lease. */
  kick(): void {
    if (this.role === 'api' || this.stopped || !this.lease.isHeld) return;
    void this.sweepAll().catch((error: Error) => this.logger.warn(`label sweep failed, will retry: ${error.message}`));
  }

  /** Sweeps until nothing due is left; returns the number of labels emitted. Concurrent callers share one run. */
  sweepAll(): Promise<number> {
    if (this.running) return this.running;
    this.running = (async () => {
      let total = 0;
      for (;;) {
        const { labelled, handled } = await this.sweepOnce(this.clock.now());
        total += labelled;
        if (handled < SWEEP_BATCH || this.stopped) return total;
      }
    })().finally(() => (this.running = null));
    return this.running;
  }

  private async sweepOnce(nowMs: number): Promise<{ labelled: number; handled: number }> {
    const windowMs = this.settings.attributionWindowMs;
    const examples: LabelledExample[] = [];
    const explored = new Map<string, number>();
    const handled = await this.database.transaction(async (manager) => {
      // A holder whose lock session died sweeps nothing once another worker has taken the lease over.
      await this.lease.fence(manager);
      const rows = await this.pending.lockDue(manager, nowMs, { decisionGraceMs: DECISION_GRACE_MS, limit: SWEEP_BATCH });
      const checked: PendingLabel[] = [];
      const remove: PendingLabel[] = [];
      const postpone: { row: PendingLabel; dueAtMs: number }[] = [];
      const labelRows: { row: PendingLabel; label: 0 | 1 }[] = [];
      for (const row of rows) {
        if (!row.exploreChecked && row.impressionAtMs !== null && (row.hasDecision || row.impressionAtMs <= nowMs - DECISION_GRACE_MS)) {
          checked.push(row);
          if (row.explored && row.campaignId) explored.set(row.campaignId, (explored.get(row.campaignId) ?? 0) + 1);
        }
        if (row.dueAtMs > nowMs) continue;
        const outcome = attributeLabel(row.impressionAtMs, row.clickedAtMs, windowMs, nowMs);
        if (outcome.kind === 'discard') remove.push(row);
        else if (outcome.kind === 'wait') postpone.push({ row, dueAtMs: outcome.dueAtMs });
        else if (!row.hasDecision && nowMs - row.dueAtMs < DECISION_GRACE_MS) postpone.push({ row, dueAtMs: nowMs + RETRY_WAIT_MS });
        else labelRows.push({ row, label: outcome.label });
      }
      await this.pending.markExploreChecked(manager, checked);
      await this.pending.postpone(manager, postpone);
      if (labelRows.length > 0) {
        const candidates = labelRows.map(({ row, label }) => toExample(row, label, nowMs));
        const fresh = await this.labelled.insertNew(manager, candidates, nowMs);
        examples.push(...candidates.filter((e) => fresh.has(e.decisionId)));
        remove.push(...labelRows.map((l) => l.row));
      }
      await this.pending.remove(manager, remove);
      return rows.length;
    });
    for (const [campaignId, n] of explored) {
      // After commit, at most once: a crash here leaves the exploration budget slightly under-spent, never over.
      await this.counters.increment(explorationCounterKey(campaignId), n, OPEN_ENDED_LIFETIME_TTL_S).catch((error: Error) => this.logger.warn(`exploration counter of ${campaignId} not incremented: ${error.message}`));
    }
    await this.bus.publish(examples);
    return { labelled: examples.length, handled };
  }
}

/** The example a due pending label becomes (fields its events never gave are empty, as stored). */
function toExample(row: PendingLabel, label: 0 | 1, nowMs: number): LabelledExample {
  return {
    decisionId: row.decisionId,
    decisionAtMs: row.decisionAtMs,
    label,
    labelledAtMs: nowMs,
    impressionAtMs: row.impressionAtMs!,
    clickedAtMs: row.clickedAtMs,
    campaignId: row.campaignId ?? '',
    creativeId: row.creativeId ?? '',
    slotId: row.slotId ?? '',
    branch: row.branch ?? '',
    arm: row.arm,
    platform: row.platform ?? '',
    userId: row.userId ?? '',
    propensity: row.propensity ?? 0,
    features: row.features,
  };
}
