import { Logger } from '@nestjs/common';
import { InMemoryCounterStore } from '../../engine/caps/in-memory-counter-store';
import { explorationCounterKey } from '../../engine/caps/frequency-caps';
import { FakeTransactions } from '../../platform/database/fakes/fake-transactions';
import { FeedbackClock } from '../../platform/feedback-clock';
import { type EventRead, FakeLabelSweepRepository } from './fakes/fake-label-sweep.repository';
import { FakeLabelledExamplesRepository } from './fakes/fake-labelled-examples.repository';
import type { FeedbackSettings } from './feedback-settings';
import { LabelSweeper } from './label-sweeper.service';
import { type LabelledExample, LabelledExampleBus } from './labelled-example-bus';
import type { LearningLease } from './learning-lease.service';

const WINDOW_MS = 30 * 60_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');
const DECISION_1 = '11111111-1111-4111-8111-111111111111';
const DECISION_2 = '22222222-2222-4222-8222-222222222222';
const FEATURES = { user: { region: 'east' }, context: { hour: 10 } };

function impression(decisionId: string, overrides: Partial<EventRead> = {}): EventRead {
  return {
    decisionId,
    decisionAtMs: T0,
    type: 'impression',
    campaignId: 'c1',
    creativeId: 'c1-cr1',
    slotId: 'slot-1',
    branch: 'main',
    arm: null,
    platform: 'ios',
    userId: 'listener-1',
    propensity: 0.25,
    ...overrides,
  };
}

/** The sweeper, holding the lease, with in-memory repositories and counters; the clock stands at `nowMs`. */
function setUp() {
  let nowMs = T0 + 60_000;
  const clock = Object.assign(new FeedbackClock(), { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) });
  const pending = new FakeLabelSweepRepository();
  const labelled = new FakeLabelledExamplesRepository();
  const counters = new InMemoryCounterStore(() => nowMs);
  const bus = new LabelledExampleBus();
  const published: LabelledExample[][] = [];
  bus.register('test', (examples) => void published.push([...examples]));
  const fenced = { count: 0 };
  const lease = { isHeld: true, fence: async () => void fenced.count++ } as Pick<LearningLease, 'isHeld' | 'fence'> as LearningLease;
  const sweeper = new LabelSweeper(
    new FakeTransactions(),
    counters,
    'worker',
    pending.asRepository(),
    labelled.asRepository(),
    { attributionWindowMs: WINDOW_MS, retentionDays: 30 } as FeedbackSettings,
    clock,
    bus,
    lease,
  );
  return { sweeper, pending, labelled, counters, published, fenced, clock };
}

describe('LabelSweeper (in-memory repositories)', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('labels an impression 0 when its window closes without a click, not before', async () => {
    const { sweeper, pending, labelled, published, clock } = setUp();
    pending.addPending({ decisionId: DECISION_1, decisionAtMs: T0, impressionAtMs: T0 + 1000, clickedAtMs: null, dueAtMs: T0 + 1000 + WINDOW_MS, exploreChecked: true });
    pending.addDecision({ decisionId: DECISION_1, createdAtMs: T0, explored: false, features: FEATURES });
    pending.addEvent(impression(DECISION_1));

    expect(await sweeper.sweepAll()).toBe(0);
    expect(pending.pendingLabels()).toHaveLength(1);

    clock.advance(WINDOW_MS);
    expect(await sweeper.sweepAll()).toBe(1);
    const labelledAtMs = clock.now();
    expect(published).toEqual([
      [
        {
          decisionId: DECISION_1,
          decisionAtMs: T0,
          label: 0,
          labelledAtMs,
          impressionAtMs: T0 + 1000,
          clickedAtMs: null,
          campaignId: 'c1',
          creativeId: 'c1-cr1',
          slotId: 'slot-1',
          branch: 'main',
          arm: null,
          platform: 'ios',
          userId: 'listener-1',
          propensity: 0.25,
          features: FEATURES,
        },
      ],
    ]);
    expect(labelled.storedExamples()).toEqual([expect.objectContaining({ decisionId: DECISION_1, label: 0, labelledAtMs })]);
    expect(pending.pendingLabels()).toEqual([]);
  });

  it('labels an impression 1 at once when a click came inside the window; the bus sees each stored example once', async () => {
    const { sweeper, pending, labelled, published } = setUp();
    const row = { decisionId: DECISION_1, decisionAtMs: T0, impressionAtMs: T0 + 1000, clickedAtMs: T0 + 20_000, dueAtMs: T0 + 30_000, exploreChecked: true };
    pending.addPending(row);
    pending.addDecision({ decisionId: DECISION_1, createdAtMs: T0, explored: false, features: FEATURES });
    pending.addEvent(impression(DECISION_1));
    pending.addEvent(impression(DECISION_1, { type: 'click', propensity: 0.9 }));

    expect(await sweeper.sweepAll()).toBe(1);
    expect(published.flat().map((e) => [e.decisionId, e.label, e.clickedAtMs, e.propensity])).toEqual([[DECISION_1, 1, T0 + 20_000, 0.25]]);

    // A pending row of a decision already labelled (a replay) is cleared without a second example.
    pending.addPending(row);
    expect(await sweeper.sweepAll()).toBe(0);
    expect(published).toHaveLength(1);
    expect(labelled.storedExamples()).toHaveLength(1);
    expect(pending.pendingLabels()).toEqual([]);
  });

  it('discards a click that never got an impression once its window has closed', async () => {
    const { sweeper, pending, labelled, published, clock } = setUp();
    pending.addPending({ decisionId: DECISION_2, decisionAtMs: T0, impressionAtMs: null, clickedAtMs: T0 + 2000, dueAtMs: T0 + 2000 + WINDOW_MS, exploreChecked: true });
    pending.addEvent(impression(DECISION_2, { type: 'click' }));

    clock.advance(WINDOW_MS);
    expect(await sweeper.sweepAll()).toBe(0);
    expect(published).toEqual([]);
    expect(labelled.storedExamples()).toEqual([]);
    expect(pending.pendingLabels()).toEqual([]);
  });

  it('postpones a due label whose decision-log row is missing; a sweep a grace period past its due time labels it without features', async () => {
    const { sweeper, pending, published, clock } = setUp();
    pending.addPending({ decisionId: DECISION_1, decisionAtMs: T0, impressionAtMs: T0 + 1000, clickedAtMs: T0 + 2000, dueAtMs: T0 + 60_000, exploreChecked: true });
    pending.addEvent(impression(DECISION_1));

    expect(await sweeper.sweepAll()).toBe(0);
    expect(pending.pendingLabels()[0].dueAtMs).toBe(T0 + 65_000);

    clock.advance(65_000);
    expect(await sweeper.sweepAll()).toBe(1);
    expect(published.flat().map((e) => [e.label, e.features])).toEqual([[1, null]]);
  });

  it('counts an explored impression against the exploration budget once its decision row is there, once, before the label is due', async () => {
    const { sweeper, pending, counters, published } = setUp();
    pending.addPending({ decisionId: DECISION_1, decisionAtMs: T0, impressionAtMs: T0 + 1000, clickedAtMs: null, dueAtMs: T0 + 1000 + WINDOW_MS, exploreChecked: false });
    pending.addDecision({ decisionId: DECISION_1, createdAtMs: T0, explored: true, features: FEATURES });
    pending.addEvent(impression(DECISION_1));

    await sweeper.sweepAll();
    await sweeper.sweepAll();
    expect(await counters.get([explorationCounterKey('c1')])).toEqual([1]);
    expect(pending.pendingLabels()).toEqual([expect.objectContaining({ decisionId: DECISION_1, exploreChecked: true })]);
    expect(published).toEqual([]);
  });

  it('fences every sweep with the lease', async () => {
    const { sweeper, fenced } = setUp();
    await sweeper.sweepAll();
    expect(fenced.count).toBe(1);
  });
});
