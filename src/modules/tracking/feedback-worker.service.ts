import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { CounterStore } from '../../engine/caps/counter-store';
import { SUPPRESSION_TTL_S, suppressionKey } from '../../engine/caps/frequency-caps';
import type { FeedbackEvent } from '../../engine/feedback/events';
import { minuteOf, type StatMetric, StatsAccumulator } from '../../engine/feedback/live-stats';
import { goalCounterKeys } from '../../engine/pacing/pacing';
import { localClock } from '../../engine/policy/local-time';
import { COUNTER_STORE } from '../../platform/counters/counters.provider';
import type { Transactions } from '../../platform/database/sql';
import type { JobContext } from '../../platform/jobs/job-driver';
import { JobHandler } from '../../platform/jobs/job-handler.decorator';
import { JobsService } from '../../platform/jobs/jobs.service';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { DATABASE } from '../../platform/tokens';
import { SnapshotService } from '../snapshot';
import { EventsRepository } from './events.repository';
import { FeedbackSettings } from '../labels';
import { FeedbackClock } from '../../platform/feedback-clock';
import { LabelSweeper } from '../labels';
import { DeadLettersRepository, StatsRepository } from '../reporting';
import { isPoisonError } from '../../platform/database/poison-error';

const METRIC_OF: Record<FeedbackEvent['type'], StatMetric> = { impression: 'impressions', click: 'clicks', conversion: 'conversions', skip: 'skips' };

/**
 * The feedback worker. One transaction per job: insert the events (a replay inserts nothing), add
 * the inserted ones to the pending labels and the live counters. Counters therefore always agree
 * with the events table. Outside the database: the suppression flag before (idempotent, so a retry
 * just repeats it) and goal counters after commit (once per inserted event).
 */
@Injectable()
export class FeedbackWorker {
  private readonly logger = new Logger('FeedbackWorker');
  private readonly processed: Counter;

  constructor(
    @Inject(DATABASE) private readonly database: Transactions,
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    private readonly events: EventsRepository,
    private readonly stats: StatsRepository,
    private readonly deadLetters: DeadLettersRepository,
    private readonly snapshots: SnapshotService,
    private readonly settings: FeedbackSettings,
    private readonly clock: FeedbackClock,
    private readonly sweeper: LabelSweeper,
    private readonly jobs: JobsService,
    metrics: MetricsService,
  ) {
    this.processed = new Counter({
      name: 'musicboss_feedback_events_total',
      help: 'Tracking events processed by the feedback worker, by type and outcome (stored, or duplicate of a stored one)',
      labelNames: ['type', 'outcome'],
      registers: [metrics.registry],
    });
  }

  @JobHandler('feedback.events')
  async handle(payload: { events: FeedbackEvent[] }, _context: JobContext): Promise<void> {
    try {
      await this.process(payload.events);
    } catch (error) {
      if (!isPoisonError(error)) throw error;
      if (payload.events.length > 1) {
        // Isolate the poison: each event becomes its own job, so the good ones are stored.
        this.logger.warn(`batch of ${payload.events.length} events failed on data (${(error as Error).message}); retrying them one by one`);
        await this.jobs.enqueueMany('feedback.events', payload.events.map((event) => ({ events: [event] })));
        return;
      }
      // A data error cannot succeed on retry: straight to the dead-letter list.
      this.logger.error(`poison event ${payload.events[0]?.type} of decision ${payload.events[0]?.claims?.d}: ${(error as Error).message}`);
      await this.deadLetters.recordPoisonEvent((error as Error).message ?? String(error), payload.events[0] ?? null);
    }
  }

  async process(input: readonly FeedbackEvent[]): Promise<void> {
    const events = dedupe(input);
    if (events.length === 0) return;
    const windowMs = this.settings.attributionWindowMs;
    const nowMs = this.clock.now();
    const campaigns = this.snapshots.current().snapshot.campaignsById;

    // Idempotent and true whatever happens to the transaction (the listener did convert), so it goes first,
    // outside it, in parallel: no Redis round trip is made while row locks are held.
    const suppressions = new Set<string>();
    for (const e of events) {
      if (e.type === 'conversion' && campaigns.get(e.claims.c)?.suppressOnConversion) suppressions.add(suppressionKey(e.claims.u, e.claims.c));
    }
    await Promise.all([...suppressions].map((key) => this.counters.set(key, SUPPRESSION_TTL_S)));

    const inserted = await this.database.transaction(async (manager) => {
      const clicks = events.filter((e) => e.type === 'click');
      const impressionsInBatch = new Set(events.filter((e) => e.type === 'impression').map((e) => e.claims.d));
      const stored = await this.events.decisionsWithImpression(
        manager,
        clicks.filter((e) => !impressionsInBatch.has(e.claims.d)).map((e) => ({ id: e.claims.d, atMs: e.claims.i })),
      );
      const withoutImpression = new Set(clicks.filter((e) => !impressionsInBatch.has(e.claims.d) && !stored.has(e.claims.d)).map((e) => e.claims.d));

      const keys = await this.events.insertEvents(manager, events, withoutImpression);
      const insertedKeys = new Set(keys.map((k) => `${k.decision_id}|${k.type}`));
      const fresh = events.filter((e) => insertedKeys.has(`${e.claims.d.toLowerCase()}|${e.type}`));

      const labelTimes = new Map<string, { decisionId: string; decisionAtMs: number; impressionAtMs: number | null; clickedAtMs: number | null; exploreCheck: boolean }>();
      for (const e of fresh) {
        if (e.type !== 'impression' && e.type !== 'click') continue;
        const row = labelTimes.get(e.claims.d) ?? { decisionId: e.claims.d, decisionAtMs: e.claims.i, impressionAtMs: null, clickedAtMs: null, exploreCheck: false };
        if (e.type === 'impression') {
          row.impressionAtMs = e.occurredAtMs;
          // Only campaigns that explore need their decision row read to count explored impressions.
          row.exploreCheck = (campaigns.get(e.claims.c)?.explorationBudget ?? 0) > 0;
        } else row.clickedAtMs = e.occurredAtMs;
        labelTimes.set(e.claims.d, row);
      }
      await this.events.upsertPending(manager, [...labelTimes.values()].sort((a, b) => (a.decisionId < b.decisionId ? -1 : 1)), windowMs, nowMs);

      // Last before commit: every job adds to the same few hot counter rows, so their locks are held the shortest.
      const acc = new StatsAccumulator();
      for (const e of fresh) {
        const c = e.claims;
        acc.add({ minuteMs: minuteOf(e.occurredAtMs), campaignId: c.c, creativeId: c.cr, slotId: c.s, branch: c.b, arm: c.a ?? '', platform: c.pf }, METRIC_OF[e.type]);
      }
      await this.stats.addRows(acc.drain(), manager);
      return fresh;
    });

    const insertedSet = new Set(inserted);
    for (const e of events) this.processed.inc({ type: e.type, outcome: insertedSet.has(e) ? 'stored' : 'duplicate' });
    await this.countGoals(inserted);
    if (inserted.some((e) => e.type === 'click')) this.sweeper.kick();
  }

  private async countGoals(inserted: readonly FeedbackEvent[]): Promise<void> {
    const increments = new Map<string, { by: number; ttlS: number }>();
    const campaigns = this.snapshots.current().snapshot.campaignsById;
    for (const e of inserted) {
      if (e.type !== 'click' && e.type !== 'conversion') continue;
      const campaign = campaigns.get(e.claims.c);
      const metric = e.type === 'click' ? 'clicks' : 'conversions';
      if (!campaign?.goal || campaign.goal.metric !== metric) continue;
      const keys = goalCounterKeys(campaign, metric, e.occurredAtMs, localClock(e.occurredAtMs, campaign.schedule.timeZone));
      for (const [key, ttlS] of [[keys.dailyKey, keys.dailyTtlS], [keys.totalKey, keys.totalTtlS]] as const) {
        const current = increments.get(key) ?? { by: 0, ttlS };
        current.by += 1;
        increments.set(key, current);
      }
    }
    for (const [key, { by, ttlS }] of increments) {
      // After commit: a crash right here under-counts a goal by these few outcomes; it never double-counts.
      await this.counters.increment(key, by, ttlS).catch((error: Error) => this.logger.warn(`goal counter ${key} not incremented by ${by}: ${error.message}`));
    }
  }
}

/** One event per (decision, type): the earliest reported. */
function dedupe(events: readonly FeedbackEvent[]): FeedbackEvent[] {
  const byKey = new Map<string, FeedbackEvent>();
  for (const e of events) {
    const key = `${e.claims.d.toLowerCase()}|${e.type}`;
    const seen = byKey.get(key);
    if (!seen || e.occurredAtMs < seen.occurredAtMs) byKey.set(key, e);
  }
  // Sorted so concurrent jobs take row locks in one order.
  return [...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, e]) => e);
}
