import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { CounterStore } from '../../engine/caps/counter-store';
import { explorationCounterKey, OPEN_ENDED_LIFETIME_TTL_S } from '../../engine/caps/frequency-caps';
import { attributeLabel } from '../../engine/feedback/events';
import { COUNTER_STORE } from '../../platform/counters/counters.provider';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE, PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { msToTs, rowsOf, tsToMs } from '../../platform/database/sql';
import { FeedbackSettings } from './feedback-settings';
import { FeedbackClock } from '../../platform/feedback-clock';
import { type LabelledExample, LabelledExampleBus } from './labelled-example-bus';
import { LearningLease } from './learning-lease.service';

const SWEEP_INTERVAL_MS = 1000;
const SWEEP_BATCH = 1000;
// How long a due label waits for its decision-log row (the features) before going out without it.
const DECISION_GRACE_MS = 60_000;
const RETRY_WAIT_MS = 5000;

interface PendingRow {
  decision_id: string;
  decision_at_ms: number;
  impression_at_ms: number | null;
  clicked_at_ms: number | null;
  due_at_ms: number;
  explore_checked: boolean;
  has_decision: boolean;
  explored: boolean | null;
  features: Record<string, unknown> | null;
  campaign_id: string | null;
  creative_id: string | null;
  slot_id: string | null;
  branch: string | null;
  arm: string | null;
  platform: string | null;
  user_id: string | null;
  propensity: number | null;
}

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
    @Inject(DATABASE) private readonly database: DatabaseService,
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
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
    const handled = await this.database.dataSource.transaction(async (manager) => {
      // A holder whose lock session died sweeps nothing once another worker has taken the lease over.
      await this.lease.fence(manager);
      const rows = rowsOf<PendingRow>(
        await manager.query(
          `SELECT p.decision_id::text AS decision_id, ${tsToMs('p.decision_at')} AS decision_at_ms, ${tsToMs('p.impression_at')} AS impression_at_ms,
                  ${tsToMs('p.clicked_at')} AS clicked_at_ms, ${tsToMs('p.due_at')} AS due_at_ms, p.explore_checked,
                  d.decision_id IS NOT NULL AS has_decision, d.explored, d.features,
                  e.campaign_id, e.creative_id, e.slot_id, e.branch, e.arm, e.platform, e.user_id, e.propensity
           FROM pending_labels p
           LEFT JOIN decisions d ON d.decision_id = p.decision_id AND d.created_at = p.decision_at
           LEFT JOIN LATERAL (
             SELECT campaign_id, creative_id, slot_id, branch, arm, platform, user_id, propensity FROM events e
             WHERE e.decision_id = p.decision_id AND e.decision_at = p.decision_at AND e.type IN ('impression', 'click')
             ORDER BY e.type = 'impression' DESC LIMIT 1
           ) e ON true
           WHERE p.due_at <= ${msToTs('$1::float8')}
              OR (NOT p.explore_checked AND p.impression_at IS NOT NULL
                  AND (d.decision_id IS NOT NULL OR p.impression_at <= ${msToTs('$1::float8')} - interval '${DECISION_GRACE_MS} milliseconds'))
           ORDER BY p.due_at
           LIMIT ${SWEEP_BATCH}
           FOR UPDATE OF p SKIP LOCKED`,
          [nowMs],
        ),
      );
      const checked: PendingRow[] = [];
      const remove: PendingRow[] = [];
      const postpone: { row: PendingRow; dueAtMs: number }[] = [];
      const labelRows: { row: PendingRow; label: 0 | 1 }[] = [];
      for (const row of rows) {
        if (!row.explore_checked && row.impression_at_ms !== null && (row.has_decision || row.impression_at_ms <= nowMs - DECISION_GRACE_MS)) {
          checked.push(row);
          if (row.explored && row.campaign_id) explored.set(row.campaign_id, (explored.get(row.campaign_id) ?? 0) + 1);
        }
        if (row.due_at_ms > nowMs) continue;
        const outcome = attributeLabel(row.impression_at_ms, row.clicked_at_ms, windowMs, nowMs);
        if (outcome.kind === 'discard') remove.push(row);
        else if (outcome.kind === 'wait') postpone.push({ row, dueAtMs: outcome.dueAtMs });
        else if (!row.has_decision && nowMs - row.due_at_ms < DECISION_GRACE_MS) postpone.push({ row, dueAtMs: nowMs + RETRY_WAIT_MS });
        else labelRows.push({ row, label: outcome.label });
      }
      const key = (rs: readonly PendingRow[]) => [rs.map((r) => r.decision_id), rs.map((r) => r.decision_at_ms)];
      if (checked.length > 0) {
        await manager.query(
          `UPDATE pending_labels p SET explore_checked = true FROM unnest($1::uuid[], $2::float8[]) AS k(d, i)
           WHERE p.decision_id = k.d AND p.decision_at = ${msToTs('k.i')}`,
          key(checked),
        );
      }
      if (postpone.length > 0) {
        await manager.query(
          `UPDATE pending_labels p SET due_at = ${msToTs('k.due')} FROM unnest($1::uuid[], $2::float8[], $3::float8[]) AS k(d, i, due)
           WHERE p.decision_id = k.d AND p.decision_at = ${msToTs('k.i')}`,
          [...key(postpone.map((p) => p.row)), postpone.map((p) => p.dueAtMs)],
        );
      }
      if (labelRows.length > 0) {
        const rs = labelRows.map((l) => l.row);
        const inserted = rowsOf<{ decision_id: string }>(
          await manager.query(
            `INSERT INTO labelled_examples (decision_id, decision_at, label, labelled_at, campaign_id, creative_id, slot_id, branch, arm, platform, user_id, propensity, features)
             SELECT d, ${msToTs('i')}, l, ${msToTs('$3::float8')}, c, cr, s, b, a, pf, u, p, f
             FROM unnest($1::uuid[], $2::float8[], $4::smallint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::float8[], $13::jsonb[])
                  AS k(d, i, l, c, cr, s, b, a, pf, u, p, f)
             ON CONFLICT DO NOTHING
             RETURNING decision_id::text AS decision_id`,
            [
              ...key(rs),
              nowMs,
              labelRows.map((l) => l.label),
              rs.map((r) => r.campaign_id ?? ''),
              rs.map((r) => r.creative_id ?? ''),
              rs.map((r) => r.slot_id ?? ''),
              rs.map((r) => r.branch ?? ''),
              rs.map((r) => r.arm),
              rs.map((r) => r.platform ?? ''),
              rs.map((r) => r.user_id ?? ''),
              rs.map((r) => r.propensity ?? 0),
              rs.map((r) => (r.features === null ? null : JSON.stringify(r.features))),
            ],
          ),
        );
        const fresh = new Set(inserted.map((r) => r.decision_id));
        for (const { row, label } of labelRows) {
          if (!fresh.has(row.decision_id)) continue;
          examples.push({
            decisionId: row.decision_id,
            decisionAtMs: row.decision_at_ms,
            label,
            labelledAtMs: nowMs,
            impressionAtMs: row.impression_at_ms!,
            clickedAtMs: row.clicked_at_ms,
            campaignId: row.campaign_id ?? '',
            creativeId: row.creative_id ?? '',
            slotId: row.slot_id ?? '',
            branch: row.branch ?? '',
            arm: row.arm,
            platform: row.platform ?? '',
            userId: row.user_id ?? '',
            propensity: row.propensity ?? 0,
            features: row.features,
          });
        }
        remove.push(...rs);
      }
      if (remove.length > 0) {
        await manager.query(
          `DELETE FROM pending_labels p USING unnest($1::uuid[], $2::float8[]) AS k(d, i) WHERE p.decision_id = k.d AND p.decision_at = ${msToTs('k.i')}`,
          key(remove),
        );
      }
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
