import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { InMemoryCounterStore } from '../../engine/caps/in-memory-counter-store';
import { suppressionKey } from '../../engine/caps/frequency-caps';
import type { EventType, FeedbackEvent } from '../../engine/feedback/events';
import type { Campaign, DecisionSnapshot } from '../../engine/policy/snapshot';
import { FakeTransactions } from '../../platform/database/fakes/fake-transactions';
import { FeedbackClock } from '../../platform/feedback-clock';
import type { JobsService } from '../../platform/jobs/jobs.service';
import type { MetricsService } from '../../platform/metrics/metrics.service';
import type { FeedbackSettings, LabelSweeper } from '../labels';
import { FakeDeadLettersRepository } from '../reporting/fakes/fake-dead-letters.repository';
import { FakeStatsRepository } from '../reporting/fakes/fake-stats.repository';
import type { SnapshotService } from '../snapshot';
import { FakeEventsRepository } from './fakes/fake-events.repository';
import { FeedbackWorker } from './feedback-worker.service';
import { makeBranch, makeCampaign, makeSnapshot } from '../../../test/support/policy-fixtures';

const WINDOW_MS = 30 * 60_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');
const DECISION_1 = '11111111-1111-4111-8111-111111111111';
const DECISION_2 = '22222222-2222-4222-8222-222222222222';

function event(type: EventType, decisionId: string, occurredAtMs: number, campaignId = 'c-plain', issuedAtMs = T0): FeedbackEvent {
  return {
    type,
    claims: { d: decisionId, c: campaignId, cr: `${campaignId}-cr1`, s: 'slot-1', b: 'main', a: null, p: 0.5, u: 'listener-1', pf: 'ios', i: issuedAtMs, e: issuedAtMs + 86_400_000 },
    occurredAtMs,
    receivedAtMs: occurredAtMs + 10,
    source: 'batch',
  };
}

/** The worker with in-memory repositories, counters and transactions; the clock stands at `now`. */
function setUp(campaigns: Campaign[] = [makeCampaign('c-plain')]) {
  const snapshot: DecisionSnapshot = makeSnapshot(campaigns, [makeBranch('main', campaigns.map((c) => c.id))]);
  let nowMs = T0 + 60_000;
  const clock = Object.assign(new FeedbackClock(), { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) });
  const transactions = new FakeTransactions();
  const counters = new InMemoryCounterStore(() => nowMs);
  const events = new FakeEventsRepository();
  const stats = new FakeStatsRepository();
  const deadLetters = new FakeDeadLettersRepository();
  const kicks = { count: 0 };
  const sweeper = { kick: () => void kicks.count++ } as Pick<LabelSweeper, 'kick'> as LabelSweeper;
  const enqueued: unknown[] = [];
  const jobs = { enqueueMany: async (_name: string, payloads: unknown[]) => void enqueued.push(...payloads) } as unknown as JobsService;
  const metrics = { registry: new Registry() } as MetricsService;
  const worker = new FeedbackWorker(
    transactions,
    counters,
    events.asRepository(),
    stats.asRepository(),
    deadLetters.asRepository(),
    { current: () => ({ snapshot }) } as Pick<SnapshotService, 'current'> as SnapshotService,
    { attributionWindowMs: WINDOW_MS, retentionDays: 30 } as FeedbackSettings,
    clock,
    sweeper,
    jobs,
    metrics,
  );
  const processed = async (type: EventType, outcome: 'stored' | 'duplicate') =>
    (await metrics.registry.getSingleMetric('musicboss_feedback_events_total')!.get()).values.find((v) => v.labels.type === type && v.labels.outcome === outcome)?.value ?? 0;
  return { worker, transactions, counters, events, stats, deadLetters, kicks, enqueued, processed, clock, snapshot };
}

describe('FeedbackWorker (in-memory repositories)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('stores each (decision, type) once: a duplicate in the batch keeps the earliest, a replay stores nothing and counts nothing', async () => {
    const { worker, events, stats, processed } = setUp();
    const batch = [event('impression', DECISION_1, T0 + 2000), event('impression', DECISION_1, T0 + 1000), event('click', DECISION_1, T0 + 3000)];
    await worker.process(batch);
    await worker.process(batch);

    expect(events.storedEvents().map((e) => [e.type, e.occurredAtMs])).toEqual([
      ['click', T0 + 3000],
      ['impression', T0 + 1000],
    ]);
    const totals = (await stats.sums(T0, T0 + 3_600_000, []))[0];
    expect([totals.impressions, totals.clicks]).toEqual([1, 1]);
    expect(await processed('impression', 'stored')).toBe(1);
    expect(await processed('impression', 'duplicate')).toBe(1);
    expect(await processed('click', 'duplicate')).toBe(1);
  });

  it('flags a click without an impression, waits for the window, and makes it a positive label when the impression comes late', async () => {
    const { worker, events, kicks } = setUp();
    await worker.process([event('click', DECISION_1, T0 + 5000)]);

    expect(events.storedEvents()).toEqual([expect.objectContaining({ type: 'click', clickWithoutImpression: true })]);
    expect(events.pendingLabels()).toEqual([
      { decisionId: DECISION_1, decisionAtMs: T0, impressionAtMs: null, clickedAtMs: T0 + 5000, dueAtMs: T0 + 5000 + WINDOW_MS, exploreChecked: true },
    ]);
    expect(kicks.count).toBe(1);

    await worker.process([event('impression', DECISION_1, T0 + 4000)]);
    expect(events.pendingLabels()).toEqual([
      // Both within the window: due at once (the worker's clock), for the sweeper to label 1.
      { decisionId: DECISION_1, decisionAtMs: T0, impressionAtMs: T0 + 4000, clickedAtMs: T0 + 5000, dueAtMs: T0 + 60_000, exploreChecked: true },
    ]);
  });

  it('does not flag a click whose impression is stored already, or comes in the same batch', async () => {
    const { worker, events } = setUp();
    await worker.process([event('impression', DECISION_1, T0 + 1000)]);
    await worker.process([event('click', DECISION_1, T0 + 2000), event('impression', DECISION_2, T0 + 1000), event('click', DECISION_2, T0 + 3000)]);

    expect(events.storedEvents().filter((e) => e.type === 'click').map((e) => [e.decisionId, e.clickWithoutImpression])).toEqual([
      [DECISION_1, false],
      [DECISION_2, false],
    ]);
  });

  it('sets the suppression flag on a conversion of a suppressing campaign (not of others), before and whatever the unit of work does', async () => {
    const { worker, counters, events } = setUp([makeCampaign('c-member', { suppressOnConversion: true }), makeCampaign('c-plain')]);
    jest.spyOn(events, 'insertEvents').mockRejectedValueOnce(new Error('connection terminated'));
    const conversions = [event('conversion', DECISION_1, T0 + 1000, 'c-member'), event('conversion', DECISION_2, T0 + 1000, 'c-plain')];
    await expect(worker.process(conversions)).rejects.toThrow('connection terminated');

    expect(await counters.get([suppressionKey('listener-1', 'c-member'), suppressionKey('listener-1', 'c-plain')])).toEqual([1, null]);
    expect(counters.ttlS(suppressionKey('listener-1', 'c-member'))).toBeGreaterThan(300 * 86_400);
    await worker.process(conversions);
    expect(events.storedEvents().map((e) => [e.campaignId, e.type])).toEqual([
      ['c-member', 'conversion'],
      ['c-plain', 'conversion'],
    ]);
  });

  it('counts stored clicks toward a click goal, daily and in total, and never a replayed one', async () => {
    const goal = makeCampaign('c-goal', { goal: { metric: 'clicks', daily: 100, total: 1000, pacing: 'asap' } });
    const { worker, counters } = setUp([goal, makeCampaign('c-plain')]);
    const clicks = [event('click', DECISION_1, T0 + 1000, 'c-goal'), event('click', DECISION_2, T0 + 2000, 'c-goal')];
    await worker.process([...clicks, event('impression', DECISION_1, T0 + 500, 'c-goal')]);
    await worker.process(clicks);

    const daily = 'goal:{c:c-goal}:clicks:d2026-03-02';
    const total = 'goal:{c:c-goal}:clicks:total';
    expect(await counters.get([daily, total])).toEqual([2, 2]);
  });

  it('runs each batch in one unit of work and records a poison event (one the database refuses as data) as a dead letter', async () => {
    const { worker, events, deadLetters, transactions, enqueued } = setUp();
    await worker.process([event('impression', DECISION_1, T0 + 1000), event('click', DECISION_1, T0 + 2000)]);
    expect(transactions.count).toBe(1);

    const refused = Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' });
    jest.spyOn(events, 'insertEvents').mockRejectedValue(refused);
    const two = [event('impression', DECISION_2, T0 + 1000), event('click', DECISION_2, T0 + 2000)];
    await worker.handle({ events: two }, { attempt: 1 } as never);
    expect(enqueued).toEqual([{ events: [two[0]] }, { events: [two[1]] }]);

    await worker.handle({ events: [two[0]] }, { attempt: 1 } as never);
    expect(await deadLetters.newestPoisonEvents(10)).toEqual([expect.objectContaining({ error: 'invalid input syntax for type uuid', event: JSON.parse(JSON.stringify(two[0])) })]);
  });
});
