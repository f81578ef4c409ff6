/// <reference types="jest" />
import type { LabelledExample } from '../../src/modules/labels/labelled-example-bus';
import type { LabelledExamplesRepository } from '../../src/modules/labels/labelled-examples.repository';
import type { LabelSweepRepository } from '../../src/modules/labels/label-sweep.repository';
import type { Queryable } from '../../src/platform/database/sql';
import type { DecisionLogRead, EventRead, PendingLabelRow } from '../../src/modules/labels/fakes/fake-label-sweep.repository';

export interface LabelSweepHarness {
  readonly pending: Pick<LabelSweepRepository, keyof LabelSweepRepository>;
  readonly labelled: Pick<LabelledExamplesRepository, keyof LabelledExamplesRepository>;
  /** What the sweeper passes in its transaction (the fakes ignore it). */
  readonly manager: Queryable;
  addPending(row: PendingLabelRow): Promise<void>;
  addDecision(row: DecisionLogRead): Promise<void>;
  addEvent(row: EventRead): Promise<void>;
  /** The pending_labels table, by decision id. */
  pendingLabels(): Promise<PendingLabelRow[]>;
}

const T0 = Date.parse('2026-03-02T10:00:00Z');
const NOW = T0 + 600_000;
const GRACE_MS = 60_000;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const row = (n: number, fields: Partial<PendingLabelRow>): PendingLabelRow => ({
  decisionId: id(n),
  decisionAtMs: T0,
  impressionAtMs: T0 + 1000,
  clickedAtMs: null,
  dueAtMs: NOW + 1_000_000,
  exploreChecked: true,
  ...fields,
});

const eventOf = (n: number, type: 'impression' | 'click', fields: Partial<EventRead> = {}): EventRead => ({
  decisionId: id(n),
  decisionAtMs: T0,
  type,
  campaignId: `campaign-${n}`,
  creativeId: `creative-${n}`,
  slotId: 'slot-1',
  branch: 'main',
  arm: null,
  platform: 'ios',
  userId: `listener-${n}`,
  propensity: type === 'impression' ? 0.25 : 0.75,
  ...fields,
});

const example = (n: number, fields: Partial<LabelledExample> = {}): LabelledExample => ({
  decisionId: id(n),
  decisionAtMs: T0,
  label: 1,
  labelledAtMs: NOW,
  impressionAtMs: T0 + 1000,
  clickedAtMs: T0 + 2000,
  campaignId: 'c1',
  creativeId: 'c1-cr1',
  slotId: 'slot-1',
  branch: 'main',
  arm: 'model-a',
  platform: 'ios',
  userId: 'listener-1',
  propensity: 0.5,
  features: { user: { region: 'east' }, context: {} },
  ...fields,
});

/**
 * The behaviour the label sweep's repositories must have: the real ones (PostgreSQL) and the
 * in-memory fakes the unit tests use. Call with a factory that returns empty tables per test.
 */
export function labelSweepContract(name: string, createHarness: () => Promise<LabelSweepHarness>): void {
  describe(`LabelSweepRepository and LabelledExamplesRepository contract: ${name}`, () => {
    let h: LabelSweepHarness;
    beforeEach(async () => {
      h = await createHarness();
    });

    it('locks the due rows and the impressions still to count, soonest due first, joined to their decision row and first impression (else click)', async () => {
      await h.addPending(row(1, { dueAtMs: NOW - 5000, clickedAtMs: T0 + 2000 }));
      await h.addPending(row(2, { exploreChecked: false }));
      await h.addPending(row(3, { exploreChecked: false, impressionAtMs: NOW - GRACE_MS - 1, dueAtMs: NOW + 2_000_000 }));
      await h.addPending(row(4, { exploreChecked: false, impressionAtMs: NOW - 1000 }));
      await h.addPending(row(5, {}));
      await h.addPending(row(6, { dueAtMs: NOW - 9000, impressionAtMs: null, clickedAtMs: T0 + 3000 }));
      await h.addPending(row(7, { dueAtMs: NOW }));
      await h.addDecision({ decisionId: id(1), createdAtMs: T0, explored: true, features: { user: { region: 'east' } } });
      await h.addDecision({ decisionId: id(2), createdAtMs: T0, explored: false, features: null });
      await h.addDecision({ decisionId: id(7), createdAtMs: T0 + 1, explored: false, features: null });
      await h.addEvent(eventOf(1, 'click'));
      await h.addEvent(eventOf(1, 'impression'));
      await h.addEvent(eventOf(6, 'click', { arm: 'model-b' }));

      const locked = await h.pending.lockDue(h.manager, NOW, { decisionGraceMs: GRACE_MS, limit: 10 });
      expect(locked.map((r) => r.decisionId)).toEqual([id(6), id(1), id(7), id(2), id(3)]);
      expect(locked[1]).toEqual({
        decisionId: id(1),
        decisionAtMs: T0,
        impressionAtMs: T0 + 1000,
        clickedAtMs: T0 + 2000,
        dueAtMs: NOW - 5000,
        exploreChecked: true,
        hasDecision: true,
        explored: true,
        features: { user: { region: 'east' } },
        campaignId: 'campaign-1',
        creativeId: 'creative-1',
        slotId: 'slot-1',
        branch: 'main',
        arm: null,
        platform: 'ios',
        userId: 'listener-1',
        propensity: 0.25,
      });
      expect(locked[0]).toEqual(expect.objectContaining({ hasDecision: false, explored: null, features: null, arm: 'model-b', propensity: 0.75 }));
      expect(locked[2]).toEqual(expect.objectContaining({ hasDecision: false, campaignId: null, propensity: null }));
      expect((await h.pending.lockDue(h.manager, NOW, { decisionGraceMs: GRACE_MS, limit: 2 })).map((r) => r.decisionId)).toEqual([id(6), id(1)]);
    });

    it('marks, postpones and removes only the rows named', async () => {
      for (const n of [1, 2, 3]) await h.addPending(row(n, { exploreChecked: false }));
      const key = (n: number) => ({ decisionId: id(n), decisionAtMs: T0 });
      await h.pending.markExploreChecked(h.manager, [key(1), { decisionId: id(2), decisionAtMs: T0 + 1 }]);
      await h.pending.postpone(h.manager, [{ row: key(2), dueAtMs: NOW + 5000 }]);
      await h.pending.remove(h.manager, [key(3)]);
      await h.pending.markExploreChecked(h.manager, []);
      await h.pending.postpone(h.manager, []);
      await h.pending.remove(h.manager, []);
      expect(await h.pendingLabels()).toEqual([row(1, { exploreChecked: true }), row(2, { exploreChecked: false, dueAtMs: NOW + 5000 })]);
    });

    it('stores a labelled example once per decision and reads them back after a cursor, in (labelled_at, decision_id) order', async () => {
      expect(await h.labelled.insertNew(h.manager, [example(2), example(1, { label: 0, clickedAtMs: null, features: null })], NOW)).toEqual(new Set([id(1), id(2)]));
      expect(await h.labelled.insertNew(h.manager, [example(1), example(3, { arm: null })], NOW + 1000)).toEqual(new Set([id(3)]));
      expect(await h.labelled.insertNew(h.manager, [], NOW)).toEqual(new Set());

      const all = await h.labelled.after({ labelledAtMs: 0, decisionId: id(0) }, 10);
      expect(all.map((e) => [e.decisionId, e.label, e.labelledAtMs])).toEqual([
        [id(1), 0, NOW],
        [id(2), 1, NOW],
        [id(3), 1, NOW + 1000],
      ]);
      // The table keeps no impression or click times.
      expect(all[1]).toEqual({ ...example(2), impressionAtMs: T0, clickedAtMs: null });
      expect(all[0].features).toBeNull();
      expect((await h.labelled.after({ labelledAtMs: NOW, decisionId: id(1) }, 1)).map((e) => e.decisionId)).toEqual([id(2)]);
      expect(await h.labelled.countForCampaign('c1')).toBe(3);
      expect(await h.labelled.countForCampaign('c2')).toBe(0);
    });

    it('drops the examples of decisions made before a cutoff', async () => {
      await h.labelled.insertNew(h.manager, [example(1, { decisionAtMs: T0 - 1 }), example(2)], NOW);
      await h.labelled.deleteDecidedBefore(T0);
      expect((await h.labelled.after({ labelledAtMs: 0, decisionId: id(0) }, 10)).map((e) => e.decisionId)).toEqual([id(2)]);
    });
  });
}
