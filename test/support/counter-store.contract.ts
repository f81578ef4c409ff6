/// <reference types="jest" />
import type { CounterCheck, CounterStore } from '../../src/engine/caps/counter-store';

export interface CounterStoreHarness {
  readonly store: CounterStore;
  /**
   * Remaining TTL in seconds (-1 no TTL, -2 absent) of a key, or of what holds a hash field (the hash in
   * Redis, the field itself where fields are counters of their own), as the backing store sees it.
   */
  ttlS(key: string, field?: string): Promise<number>;
  /** Moves the store's clock forward; absent for stores on a real clock. */
  advanceS?(seconds: number): void;
  close?(): Promise<void>;
}

const reserve = (key: string, limit: number, reason: CounterCheck['reason'] = 'cap', ttlS = 600): CounterCheck => ({ key, limit, op: 'reserve', ttlS, reason });
const read = (key: string, limit: number, reason: CounterCheck['reason'] = 'goal_reached'): CounterCheck => ({ key, limit, op: 'read', ttlS: 0, reason });
const absent = (key: string): CounterCheck => ({ key, limit: 0, op: 'absent', ttlS: 0, reason: 'suppressed' });
const reserveField = (key: string, field: string, limit: number, reason: CounterCheck['reason'] = 'cap', ttlS = 600): CounterCheck => ({ key, field, limit, op: 'reserve', ttlS, reason });

/**
 * The behaviour every CounterStore must have. Call inside a test file with a factory that returns a fresh,
 * isolated store (own key space) per test.
 */
export function counterStoreContract(name: string, createHarness: () => Promise<CounterStoreHarness>): void {
  describe(`CounterStore contract: ${name}`, () => {
    let h: CounterStoreHarness;
    beforeEach(async () => {
      h = await createHarness();
    });
    afterEach(async () => {
      await h.close?.();
    });

    it.each([
      { title: 'reserve under limit passes', seed: { a: 2 }, checks: [reserve('a', 3)], status: 'chosen', reason: undefined, after: { a: 3 } },
      { title: 'reserve at limit fails', seed: { a: 3 }, checks: [reserve('a', 3)], status: 'rejected', reason: 'cap', after: { a: 3 } },
      { title: 'reserve on absent key counts from 0', seed: {}, checks: [reserve('a', 1)], status: 'chosen', reason: undefined, after: { a: 1 } },
      { title: 'read below limit passes, not written', seed: { c: 4 }, checks: [read('c', 5)], status: 'chosen', reason: undefined, after: { c: 4 } },
      { title: 'read at limit fails', seed: { c: 5 }, checks: [read('c', 5)], status: 'rejected', reason: 'goal_reached', after: { c: 5 } },
      { title: 'absent passes when unset', seed: {}, checks: [absent('s')], status: 'chosen', reason: undefined, after: { s: null } },
      { title: 'absent fails when set', seed: { s: 1 }, checks: [absent('s')], status: 'rejected', reason: 'suppressed', after: { s: 1 } },
      {
        title: 'first failing check gives the reason and nothing is written',
        seed: { b: 1, l: 9 },
        checks: [reserve('a', 5), reserve('b', 1, 'pacing'), reserve('l', 2, 'ad_load_cap')],
        status: 'rejected',
        reason: 'pacing',
        after: { a: null, b: 1, l: 9 },
      },
      {
        title: 'all pass → every distinct reserve key +1 once',
        seed: { a: 1 },
        checks: [absent('s'), reserve('a', 5), reserve('a', 4), read('c', 1), reserve('g', 10, 'goal_reached')],
        status: 'chosen',
        reason: undefined,
        after: { a: 2, c: null, g: 1, s: null },
      },
    ] as const)('$title', async ({ seed, checks, status, reason, after }) => {
      for (const [k, v] of Object.entries(seed)) if (v > 0) await h.store.increment(k, v, 600);
      const out = await h.store.reserve({ candidates: [{ id: 'x', checks }], want: 1 });
      expect(out.results[0].status).toBe(status);
      expect(out.results[0].status === 'rejected' ? out.results[0].reason : undefined).toBe(reason);
      const keys = Object.keys(after);
      expect(await h.store.get(keys)).toEqual(keys.map((k) => (after as unknown as Record<string, number | null>)[k]));
    });

    it('a candidate without checks is chosen; an empty plan yields nothing', async () => {
      expect(await h.store.reserve({ candidates: [{ id: 'free', checks: [] }], want: 1 })).toEqual({ results: [{ id: 'free', status: 'chosen' }], chosenIds: ['free'] });
      expect(await h.store.reserve({ candidates: [], want: 1 })).toEqual({ results: [], chosenIds: [] });
    });

    it('walks in rank order, stops after want, and marks the rest not evaluated', async () => {
      const out = await h.store.reserve({
        candidates: [
          { id: 'c1', checks: [reserve('k1', 0)] },
          { id: 'c2', checks: [reserve('k2', 1)] },
          { id: 'c3', checks: [reserve('k3', 1)] },
          { id: 'c4', checks: [reserve('k4', 1)] },
        ],
        want: 2,
      });
      expect(out.chosenIds).toEqual(['c2', 'c3']);
      expect(out.results.map((r) => r.status)).toEqual(['rejected', 'chosen', 'chosen', 'not_evaluated']);
      expect(await h.store.get(['k1', 'k2', 'k3', 'k4'])).toEqual([null, 1, 1, null]);
    });

    it('a key shared by candidates of one call sees the earlier reservation (slot ad-load cap)', async () => {
      const out = await h.store.reserve({
        candidates: [
          { id: 'c1', checks: [reserve('f1', 3), reserve('load', 2, 'ad_load_cap')] },
          { id: 'c2', checks: [reserve('f2', 3), reserve('load', 2, 'ad_load_cap')] },
          { id: 'c3', checks: [reserve('f3', 3), reserve('load', 2, 'ad_load_cap')] },
        ],
        want: 3,
      });
      expect(out.chosenIds).toEqual(['c1', 'c2']);
      expect(out.results[2]).toEqual({ id: 'c3', status: 'rejected', reason: 'ad_load_cap', key: 'load' });
      expect(await h.store.get(['load', 'f3'])).toEqual([2, null]);
    });

    it('increment, set and get', async () => {
      expect(await h.store.increment('n', 2, 60)).toBe(2);
      expect(await h.store.increment('n', 3, 60)).toBe(5);
      await h.store.set('flag', 60);
      expect(await h.store.get(['n', 'flag', 'none'])).toEqual([5, 1, null]);
    });

    it('reserve sets the TTL on a new key and later writes keep it', async () => {
      await h.store.reserve({ candidates: [{ id: 'x', checks: [reserve('t', 5, 'cap', 100)] }], want: 1 });
      const first = await h.ttlS('t');
      expect(first).toBeGreaterThan(90);
      expect(first).toBeLessThanOrEqual(100);
      await h.store.reserve({ candidates: [{ id: 'x', checks: [reserve('t', 5, 'cap', 5000)] }], want: 1 });
      expect(await h.ttlS('t')).toBeLessThanOrEqual(100);
      await h.store.increment('t', 1, 5000);
      expect(await h.ttlS('t')).toBeLessThanOrEqual(100);
      expect(await h.ttlS('never')).toBe(-2);
    });

    it('keys expire after their TTL (stores with a movable clock)', async () => {
      if (h.advanceS === undefined) return;
      await h.store.reserve({ candidates: [{ id: 'x', checks: [reserve('e', 1, 'cap', 10)] }], want: 1 });
      await h.store.set('flag', 20);
      h.advanceS(11);
      expect(await h.store.get(['e', 'flag'])).toEqual([null, 1]);
      const again = await h.store.reserve({ candidates: [{ id: 'x', checks: [reserve('e', 1, 'cap', 10)] }], want: 1 });
      expect(again.chosenIds).toEqual(['x']);
      h.advanceS(10);
      expect(await h.store.get(['flag'])).toEqual([null]);
    });

    it('the fields of one hash are counters of their own', async () => {
      const twice = async (field: string, limit: number) => {
        const plan = { candidates: [{ id: field, checks: [reserveField('{u:1}:h', field, limit)] }], want: 1 };
        return [await h.store.reserve(plan), await h.store.reserve(plan)];
      };
      const [a1, a2] = await twice('a', 1);
      expect(a1.chosenIds).toEqual(['a']);
      expect(a2.results[0]).toEqual({ id: 'a', status: 'rejected', reason: 'cap', key: '{u:1}:h#a' });
      const [b1, b2] = await twice('b', 2);
      expect([b1.chosenIds, b2.chosenIds]).toEqual([['b'], ['b']]);
      expect(await h.store.get([{ key: '{u:1}:h', field: 'a' }, { key: '{u:1}:h', field: 'b' }, { key: '{u:1}:h', field: 'c' }])).toEqual([1, 2, null]);
    });

    it('a hash field shared by candidates of one call sees the earlier reservation; a failing field writes nothing', async () => {
      const load = () => reserveField('{u:1}:h', 'al:slot', 2, 'ad_load_cap');
      const out = await h.store.reserve({
        candidates: [
          { id: 'c1', checks: [reserveField('{u:1}:h', 'c1', 3), load()] },
          { id: 'c2', checks: [reserveField('{u:1}:h', 'c2', 0), load()] },
          { id: 'c3', checks: [reserveField('{u:1}:h', 'c3', 3), load()] },
          { id: 'c4', checks: [reserveField('{u:1}:h', 'c4', 3), load()] },
        ],
        want: 3,
      });
      expect(out.chosenIds).toEqual(['c1', 'c3']);
      expect(out.results[3]).toEqual({ id: 'c4', status: 'rejected', reason: 'ad_load_cap', key: '{u:1}:h#al:slot' });
      expect(await h.store.get(['c1', 'c2', 'c3', 'c4', 'al:slot'].map((field) => ({ key: '{u:1}:h', field })))).toEqual([1, null, 1, null, 2]);
    });

    it('one field in two hashes, plain keys and hash fields mixed: each check counts where it names, rejections name the failing one', async () => {
      const hour = '{u:1}:hh';
      const day = '{u:1}:dd';
      const plan = (want: number) => ({
        candidates: [
          { id: 'p', checks: [reserve('{u:1}:life:p', 1), reserveField(hour, 'p', 5), reserveField(day, 'p', 1), reserveField(hour, 'al', 9, 'ad_load_cap')] },
          { id: 'q', checks: [absent('{u:1}:sup:q'), reserveField(hour, 'q', 5), reserveField(day, 'q', 5), reserveField(hour, 'al', 9, 'ad_load_cap')] },
          { id: 'r', checks: [read('goal:r', 0), reserveField(hour, 'r', 5)] },
        ],
        want,
      });
      expect((await h.store.reserve(plan(3))).chosenIds).toEqual(['p', 'q']);
      const again = await h.store.reserve(plan(1));
      expect(again.results).toEqual([
        { id: 'p', status: 'rejected', reason: 'cap', key: '{u:1}:life:p' },
        { id: 'q', status: 'chosen' },
        { id: 'r', status: 'not_evaluated' },
      ]);
      const fields = (key: string, names: string[]) => names.map((field) => ({ key, field }));
      expect(await h.store.get([...fields(hour, ['p', 'q', 'r', 'al']), ...fields(day, ['p', 'q', 'r']), '{u:1}:life:p'])).toEqual([1, 2, null, 3, 1, 2, null, 1]);
    });

    it('a hash field counts at least as long as its TTL, whatever the TTLs of other fields', async () => {
      await h.store.reserve({ candidates: [{ id: 'x', checks: [reserveField('th', 'a', 5, 'cap', 100)] }], want: 1 });
      const first = await h.ttlS('th', 'a');
      expect(first).toBeGreaterThan(90);
      expect(first).toBeLessThanOrEqual(100);
      await h.store.reserve({ candidates: [{ id: 'x', checks: [reserveField('th', 'b', 5, 'cap', 500)] }], want: 1 });
      expect(await h.ttlS('th', 'b')).toBeGreaterThan(490);
      expect(await h.ttlS('th', 'a')).toBeGreaterThan(90);
      await h.store.reserve({ candidates: [{ id: 'x', checks: [reserveField('th', 'c', 5, 'cap', 50)] }], want: 1 });
      expect(await h.ttlS('th', 'b')).toBeGreaterThan(490); // a shorter TTL never cuts the hash short
      if (h.advanceS === undefined) return;
      h.advanceS(101);
      expect(await h.store.get([{ key: 'th', field: 'a' }, { key: 'th', field: 'b' }])).toEqual([null, 1]);
    });

    it('a hash field written again in its bucket keeps its expiry: a request up to 2 s longer does not rewrite it', async () => {
      await h.store.reserve({ candidates: [{ id: 'x', checks: [reserveField('tk', 'a', 5, 'cap', 100)] }], want: 1 });
      await h.store.reserve({ candidates: [{ id: 'x', checks: [reserveField('tk', 'a', 5, 'cap', 101)] }], want: 1 });
      const ttlS = await h.ttlS('tk', 'a');
      expect(ttlS).toBeGreaterThan(90);
      expect(ttlS).toBeLessThanOrEqual(100);
      expect(await h.store.get([{ key: 'tk', field: 'a' }])).toEqual([2]);
    });

    it.each([1, 7, 50])('200 concurrent reserves on hash fields (cap %i, ad-load 30) → exactly min(cap, 30) chosen', async (cap) => {
      const outs = await Promise.all(
        Array.from({ length: 200 }, () =>
          h.store.reserve({ candidates: [{ id: 'c', checks: [reserveField('{u:1}:d', 'c', cap), reserveField('{u:1}:h', 'al:s', 30, 'ad_load_cap')] }], want: 1 }),
        ),
      );
      expect(outs.filter((o) => o.chosenIds.length === 1).length).toBe(Math.min(cap, 30));
      expect(await h.store.get([{ key: '{u:1}:d', field: 'c' }, { key: '{u:1}:h', field: 'al:s' }])).toEqual([Math.min(cap, 30), Math.min(cap, 30)]);
    });

    it.each([1, 7, 50])('200 concurrent reserves for one listener with cap %i → exactly that many chosen', async (cap) => {
      const outs = await Promise.all(
        Array.from({ length: 200 }, () =>
          h.store.reserve({ candidates: [{ id: 'c', checks: [absent('{u:1}:sup'), reserve('{u:1}:fc', cap)] }], want: 1 }),
        ),
      );
      expect(outs.filter((o) => o.chosenIds.length === 1).length).toBe(cap);
      expect(await h.store.get(['{u:1}:fc'])).toEqual([cap]);
    });

    it('200 concurrent listeners on a shared goal of 37 → goal met exactly, never overshot', async () => {
      const outs = await Promise.all(
        Array.from({ length: 200 }, (_, u) =>
          h.store.reserve({
            candidates: [
              { id: 'c', checks: [reserve('goal:c', 37, 'goal_reached'), reserve(`{u:${u}}:fc`, 1)] },
              { id: 'd', checks: [reserve('goal:d', 1000, 'goal_reached')] },
            ],
            want: 1,
          }),
        ),
      );
      expect(outs.filter((o) => o.chosenIds[0] === 'c').length).toBe(37);
      expect(outs.filter((o) => o.chosenIds[0] === 'd').length).toBe(163);
      expect(await h.store.get(['goal:c', 'goal:d'])).toEqual([37, 163]);
    });
  });
}
