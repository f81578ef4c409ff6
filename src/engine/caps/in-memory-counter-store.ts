import { counterAddress, walkReservePlan, type CounterRef, type CounterStore, type ReserveOutcome, type ReservePlan } from './counter-store';

interface Entry {
  value: number;
  /** Epoch ms; Infinity = no TTL. */
  expiresAtMs: number;
}

/**
 * Counter store for embedded mode and tests. Single-threaded JS makes each reserve atomic. A hash
 * field is a counter of its own here, under its address (`key#field`), with its own TTL.
 * `now` supplies epoch ms for TTL expiry; expired keys are dropped lazily on access and by sweep().
 */
export class InMemoryCounterStore implements CounterStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  reserve(plan: ReservePlan): Promise<ReserveOutcome> {
    return Promise.resolve(this.reserveSync(plan));
  }

  /** Synchronous reserve, for callers (simulators, fallbacks) that need no promise. */
  reserveSync(plan: ReservePlan): ReserveOutcome {
    const nowMs = this.now();
    return walkReservePlan(
      plan,
      (key) => this.live(key, nowMs)?.value ?? null,
      (key, ttlS) => this.add(key, 1, ttlS, nowMs),
    );
  }

  increment(key: string, by: number, ttlS: number): Promise<number> {
    return Promise.resolve(this.add(key, by, ttlS, this.now()));
  }

  set(key: string, ttlS: number): Promise<void> {
    this.entries.set(key, { value: 1, expiresAtMs: this.now() + ttlS * 1000 });
    return Promise.resolve();
  }

  get(keys: readonly CounterRef[]): Promise<(number | null)[]> {
    const nowMs = this.now();
    return Promise.resolve(keys.map((k) => this.live(typeof k === 'string' ? k : counterAddress(k), nowMs)?.value ?? null));
  }

  /** Remaining TTL in seconds, -1 without TTL, -2 when absent (Redis TTL semantics). */
  ttlS(key: string): number {
    const nowMs = this.now();
    const e = this.live(key, nowMs);
    if (e === undefined) return -2;
    return e.expiresAtMs === Infinity ? -1 : Math.ceil((e.expiresAtMs - nowMs) / 1000);
  }

  /** Drops every expired key; returns how many were removed. */
  sweep(): number {
    const nowMs = this.now();
    let removed = 0;
    for (const [k, e] of this.entries) {
      if (e.expiresAtMs <= nowMs) {
        this.entries.delete(k);
        removed++;
      }
    }
    return removed;
  }

  get size(): number {
    return this.entries.size;
  }

  private live(key: string, nowMs: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e !== undefined && e.expiresAtMs <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private add(key: string, by: number, ttlS: number, nowMs: number): number {
    const e = this.live(key, nowMs);
    if (e === undefined) {
      this.entries.set(key, { value: by, expiresAtMs: ttlS > 0 ? nowMs + ttlS * 1000 : Infinity });
      return by;
    }
    e.value += by;
    if (e.expiresAtMs === Infinity && ttlS > 0) e.expiresAtMs = nowMs + ttlS * 1000;
    return e.value;
  }
}
