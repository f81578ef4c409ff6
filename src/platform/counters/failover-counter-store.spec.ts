import type { CounterStore, ReservePlan } from '../../engine/caps/counter-store';
import { InMemoryCounterStore } from '../../engine/caps/in-memory-counter-store';
import { FailoverCounterStore } from './failover-counter-store';

type Mode = 'ok' | 'error' | 'hang';

/** A primary whose behaviour the test switches; counts the reserves that reached it. */
function switchable(): CounterStore & { mode: Mode; calls: number } {
  const inner = new InMemoryCounterStore(() => 0);
  const s = {
    mode: 'ok' as Mode,
    calls: 0,
    reserve(plan: ReservePlan) {
      s.calls++;
      if (s.mode === 'error') return Promise.reject(new Error('ECONNREFUSED'));
      if (s.mode === 'hang') return new Promise<never>(() => undefined);
      return inner.reserve(plan);
    },
    increment: (k: string, by: number, t: number) => inner.increment(k, by, t),
    set: (k: string, t: number) => inner.set(k, t),
    get: (k: readonly string[]) => inner.get(k),
  };
  return s;
}

const plan: ReservePlan = { candidates: [{ id: 'a', checks: [{ key: 'k', limit: 100, op: 'reserve', ttlS: 60, reason: 'cap' }] }], want: 1 };

describe('FailoverCounterStore', () => {
  it.each([
    { mode: 'error' as const, cause: 'ECONNREFUSED' },
    { mode: 'hang' as const, cause: 'did not answer within 5 ms' },
  ])('primary $mode → fallback answers, state goes degraded, and recovers after retryAfter', async ({ mode, cause }) => {
    let nowMs = 0;
    const primary = switchable();
    const fallback = new InMemoryCounterStore(() => nowMs);
    const transitions: [boolean, string][] = [];
    const store = new FailoverCounterStore(primary, fallback, {
      timeoutMs: 5,
      retryAfterMs: 1000,
      now: () => nowMs,
      onStateChange: (d, e) => transitions.push([d, e instanceof Error ? e.message : String(e)]),
    });
    expect((await store.reserve(plan)).chosenIds).toEqual(['a']);
    primary.mode = mode;
    expect((await store.reserve(plan)).chosenIds).toEqual(['a']);
    expect(store.isDegraded).toBe(true);
    nowMs = 500; // within retryAfter: the primary is not even tried
    await store.reserve(plan);
    expect(primary.calls).toBe(2);
    expect(await fallback.get(['k'])).toEqual([2]);
    primary.mode = 'ok';
    nowMs = 1001;
    await store.reserve(plan);
    expect([primary.calls, store.isDegraded]).toEqual([3, false]);
    expect(transitions.map(([d]) => d)).toEqual([true, false]);
    expect(transitions[0][1]).toContain(cause);
  });

  it('worker operations go to the primary only', async () => {
    const primary = switchable();
    const fallback = new InMemoryCounterStore(() => 0);
    const store = new FailoverCounterStore(primary, fallback, { timeoutMs: 5, retryAfterMs: 1000, now: () => 0 });
    await store.increment('c', 2, 60);
    await store.set('f', 60);
    expect(await store.get(['c', 'f'])).toEqual([2, 1]);
    expect(await fallback.get(['c', 'f'])).toEqual([null, null]);
  });
});
