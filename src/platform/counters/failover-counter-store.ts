import type { CounterRef, CounterStore, ReserveOutcome, ReservePlan } from '../../engine/caps/counter-store';

export interface FailoverOptions {
  /** A reserve slower than this counts as a failure (the hot path has a time budget). */
  readonly timeoutMs: number;
  /** After a failure, decisions use the fallback for this long before the primary is probed again. */
  readonly retryAfterMs: number;
  readonly now: () => number;
  /** Called on every transition between healthy and degraded (for health checks and metrics). */
  readonly onStateChange?: (isDegraded: boolean, error: unknown) => void;
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`counter store did not answer within ${ms} ms`);
  }
}

/**
 * Keeps decisions flowing when Redis is down: reserve() goes to the primary store and, on error or timeout,
 * to the local fallback (per-node counters: caps and goals then hold per node only, so the degraded state
 * must show in health and metrics). After retryAfterMs the primary is tried again. increment/set/get are
 * the feedback worker's and pass straight to the primary, so a failed job is retried rather than lost.
 */
export class FailoverCounterStore implements CounterStore {
  private degradedUntilMs = -Infinity;
  private degraded = false;

  constructor(
    private readonly primary: CounterStore,
    private readonly fallback: CounterStore,
    private readonly options: FailoverOptions,
  ) {}

  get isDegraded(): boolean {
    return this.degraded;
  }

  async reserve(plan: ReservePlan): Promise<ReserveOutcome> {
    if (this.options.now() < this.degradedUntilMs) return this.fallback.reserve(plan);
    try {
      const outcome = await this.withTimeout(this.primary.reserve(plan));
      this.setDegraded(false, null);
      return outcome;
    } catch (error) {
      this.degradedUntilMs = this.options.now() + this.options.retryAfterMs;
      this.setDegraded(true, error);
      return this.fallback.reserve(plan);
    }
  }

  increment(key: string, by: number, ttlS: number): Promise<number> {
    return this.primary.increment(key, by, ttlS);
  }

  set(key: string, ttlS: number): Promise<void> {
    return this.primary.set(key, ttlS);
  }

  get(keys: readonly CounterRef[]): Promise<(number | null)[]> {
    return this.primary.get(keys);
  }

  private setDegraded(isDegraded: boolean, error: unknown): void {
    if (this.degraded === isDegraded) return;
    this.degraded = isDegraded;
    this.options.onStateChange?.(isDegraded, error);
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    // One promise settled by whichever comes first, rather than race() over a second promise and a
    // finally(): this wraps every decision's reserve.
    const timeoutMs = this.options.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError(timeoutMs)), timeoutMs);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
