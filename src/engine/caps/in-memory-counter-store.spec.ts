import { counterAddress } from './counter-store';
import { counterStoreContract } from '../../../test/support/counter-store.contract';
import { InMemoryCounterStore } from './in-memory-counter-store';

counterStoreContract('in-memory', async () => {
  let nowMs = Date.UTC(2026, 0, 1);
  const store = new InMemoryCounterStore(() => nowMs);
  return {
    store,
    ttlS: async (key, field) => store.ttlS(field === undefined ? key : counterAddress({ key, field })),
    advanceS: (s) => {
      nowMs += s * 1000;
    },
  };
});

describe('InMemoryCounterStore', () => {
  it('sweep drops only expired keys', async () => {
    let nowMs = 0;
    const store = new InMemoryCounterStore(() => nowMs);
    await store.increment('a', 1, 10);
    await store.increment('b', 1, 30);
    await store.increment('c', 1, 0);
    nowMs = 20_000;
    expect(store.sweep()).toBe(1);
    expect(store.size).toBe(2);
    expect(store.ttlS('c')).toBe(-1);
  });
});
