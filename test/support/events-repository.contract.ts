/// <reference types="jest" />
import type { EventType, FeedbackEvent } from '../../src/engine/feedback/events';
import type { Queryable } from '../../src/platform/database/sql';
import type { EventsRepository } from '../../src/modules/tracking/events.repository';
import type { StoredEvent, StoredPendingLabel } from '../../src/modules/tracking/fakes/fake-events.repository';

export interface EventsRepositoryHarness {
  readonly repository: Pick<EventsRepository, keyof EventsRepository>;
  /** What the worker passes in its transaction (the fake ignores it). */
  readonly manager: Queryable;
  /** The events table, by decision id then type. */
  storedEvents(): Promise<StoredEvent[]>;
  /** The pending_labels table, by decision id then decision time. */
  pendingLabels(): Promise<StoredPendingLabel[]>;
}

const T0 = Date.parse('2026-03-02T10:00:00Z');
const WINDOW_MS = 30 * 60_000;
const D1 = '11111111-1111-4111-8111-111111111111';
const D2 = '22222222-2222-4222-8222-222222222222';
const D3 = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

function event(type: EventType, decisionId: string, occurredAtMs: number, issuedAtMs = T0): FeedbackEvent {
  return {
    type,
    claims: { d: decisionId, c: 'c1', cr: 'c1-cr1', s: 'slot-1', b: 'main', a: type === 'click' ? 'model-a' : null, p: 0.25, u: 'listener-1', pf: 'ios', i: issuedAtMs, e: issuedAtMs + 86_400_000 },
    occurredAtMs,
    receivedAtMs: occurredAtMs + 7,
    source: 'batch',
  };
}

const pending = (decisionId: string, times: { impressionAtMs?: number; clickedAtMs?: number; exploreCheck?: boolean }) => ({
  decisionId,
  decisionAtMs: T0,
  impressionAtMs: times.impressionAtMs ?? null,
  clickedAtMs: times.clickedAtMs ?? null,
  exploreCheck: times.exploreCheck ?? false,
});

/**
 * The behaviour every EventsRepository must have: the real one (PostgreSQL) and the in-memory fake
 * the unit tests use. Call inside a test file with a factory that returns an empty store per test.
 */
export function eventsRepositoryContract(name: string, createHarness: () => Promise<EventsRepositoryHarness>): void {
  describe(`EventsRepository contract: ${name}`, () => {
    let h: EventsRepositoryHarness;
    beforeEach(async () => {
      h = await createHarness();
    });

    it('stores each (decision, type, decision time) once and returns only the keys it stored, lower-case', async () => {
      const first = [event('impression', D1, T0 + 1000), event('click', D1, T0 + 2000), event('impression', D3.toUpperCase(), T0 + 1000)];
      expect(await h.repository.insertEvents(h.manager, first, new Set())).toEqual([
        { decision_id: D1, type: 'impression' },
        { decision_id: D1, type: 'click' },
        { decision_id: D3, type: 'impression' },
      ]);
      const replay = [event('click', D1, T0 + 9000), event('impression', D3, T0 + 5000), event('click', D2, T0 + 3000), event('impression', D1, T0 + 1000, T0 + 60_000)];
      expect(await h.repository.insertEvents(h.manager, replay, new Set())).toEqual([
        { decision_id: D2, type: 'click' },
        { decision_id: D1, type: 'impression' },
      ]);
      expect((await h.storedEvents()).map((e) => [e.decisionId, e.type, e.decisionAtMs, e.occurredAtMs])).toEqual([
        [D1, 'click', T0, T0 + 2000],
        [D1, 'impression', T0, T0 + 1000],
        [D1, 'impression', T0 + 60_000, T0 + 1000],
        [D2, 'click', T0, T0 + 3000],
        [D3, 'impression', T0, T0 + 1000],
      ]);
    });

    it('stores every column, and flags only the clicks named as without impression', async () => {
      await h.repository.insertEvents(h.manager, [event('click', D1, T0 + 2000), event('impression', D1, T0 + 1000), event('click', D2, T0 + 3000)], new Set([D1]));
      expect(await h.storedEvents()).toEqual([
        {
          decisionId: D1,
          type: 'click',
          decisionAtMs: T0,
          occurredAtMs: T0 + 2000,
          receivedAtMs: T0 + 2007,
          userId: 'listener-1',
          campaignId: 'c1',
          creativeId: 'c1-cr1',
          slotId: 'slot-1',
          branch: 'main',
          arm: 'model-a',
          platform: 'ios',
          propensity: 0.25,
          clickWithoutImpression: true,
          source: 'batch',
        },
        expect.objectContaining({ decisionId: D1, type: 'impression', arm: null, clickWithoutImpression: false }),
        expect.objectContaining({ decisionId: D2, type: 'click', clickWithoutImpression: false }),
      ]);
    });

    it('inserts nothing for no events', async () => {
      expect(await h.repository.insertEvents(h.manager, [], new Set())).toEqual([]);
      expect(await h.storedEvents()).toEqual([]);
    });

    it('finds stored impressions only at the decision time asked, and conversions at any', async () => {
      await h.repository.insertEvents(h.manager, [event('impression', D1, T0 + 1000), event('click', D2, T0 + 1000), event('conversion', D3, T0 + 1000, T0 + 5000)], new Set());
      expect(
        await h.repository.decisionsWithImpression(h.manager, [
          { id: D1.toUpperCase(), atMs: T0 },
          { id: D2, atMs: T0 },
          { id: D3, atMs: T0 },
        ]),
      ).toEqual(new Set([D1]));
      expect(await h.repository.decisionsWithImpression(h.manager, [{ id: D1, atMs: T0 + 1 }])).toEqual(new Set());
      expect(await h.repository.decisionsWithImpression(h.manager, [])).toEqual(new Set());
      expect(await h.repository.decisionsWithConversion([D1, D3.toUpperCase()])).toEqual(new Set([D3]));
    });

    it('schedules a pending label: an impression alone when its window closes, a click alone likewise, both in the window at once', async () => {
      const nowMs = T0 + 50_000;
      await h.repository.upsertPending(
        h.manager,
        [pending(D1, { impressionAtMs: T0 + 1000, exploreCheck: true }), pending(D2, { clickedAtMs: T0 + 2000 }), pending(D3, { impressionAtMs: T0 + 1000, clickedAtMs: T0 + 1000 + WINDOW_MS })],
        WINDOW_MS,
        nowMs,
      );
      expect(await h.pendingLabels()).toEqual([
        { decisionId: D1, decisionAtMs: T0, impressionAtMs: T0 + 1000, clickedAtMs: null, dueAtMs: T0 + 1000 + WINDOW_MS, exploreChecked: false },
        { decisionId: D2, decisionAtMs: T0, impressionAtMs: null, clickedAtMs: T0 + 2000, dueAtMs: T0 + 2000 + WINDOW_MS, exploreChecked: true },
        { decisionId: D3, decisionAtMs: T0, impressionAtMs: T0 + 1000, clickedAtMs: T0 + 1000 + WINDOW_MS, dueAtMs: nowMs, exploreChecked: true },
      ]);
    });

    it('merges later writes: keeps the earliest of each time, reschedules, and keeps explore_checked only while every write says so', async () => {
      await h.repository.upsertPending(h.manager, [pending(D1, { clickedAtMs: T0 + 9000 }), pending(D2, { impressionAtMs: T0 + 5000 })], WINDOW_MS, T0 + 10_000);
      await h.repository.upsertPending(
        h.manager,
        [pending(D1, { impressionAtMs: T0 + 4000, clickedAtMs: T0 + 12_000, exploreCheck: true }), pending(D2, { impressionAtMs: T0 + 6000, clickedAtMs: T0 + 5000 + WINDOW_MS + 1 })],
        WINDOW_MS,
        T0 + 20_000,
      );
      expect(await h.pendingLabels()).toEqual([
        { decisionId: D1, decisionAtMs: T0, impressionAtMs: T0 + 4000, clickedAtMs: T0 + 9000, dueAtMs: T0 + 20_000, exploreChecked: false },
        { decisionId: D2, decisionAtMs: T0, impressionAtMs: T0 + 5000, clickedAtMs: T0 + 5000 + WINDOW_MS + 1, dueAtMs: T0 + 5000 + WINDOW_MS, exploreChecked: true },
      ]);
    });

    it('refuses one call that names a pending label twice', async () => {
      await expect(
        h.repository.upsertPending(h.manager, [pending(D1, { impressionAtMs: T0 + 1000 }), pending(D1, { clickedAtMs: T0 + 2000 })], WINDOW_MS, T0 + 10_000),
      ).rejects.toThrow(/cannot affect row a second time/);
    });
  });
}
