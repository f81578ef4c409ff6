import type { DropReason } from '../policy/drop';

/**
 * One condition a candidate must meet before it may be served.
 * - reserve: passes when current + 1 ≤ limit; on choice the key is incremented (TTL set if the key has none).
 * - read:    passes when current < limit; never written here (clicks/conversions counters, fed by the worker).
 * - absent:  passes when the key does not exist (conversion suppression flag); limit is ignored.
 * Keys carry no global prefix; the store adds its own.
 */
export interface CounterCheck {
  /** The counter's key; with `field`, the key of the hash that holds the counter. */
  readonly key: string;
  /**
   * The counter's field in hash `key`. A listener's frequency and ad-load counters of one time bucket
   * share one hash (a field per campaign or slot), so a decision names a few hashes, not a key per
   * candidate and window. The hash lives at least as long as the longest TTL of its counters.
   */
  readonly field?: string;
  readonly limit: number;
  readonly op: 'reserve' | 'read' | 'absent';
  readonly ttlS: number;
  readonly reason: DropReason;
}

/** A counter as one string: its key, or `key#field` for a hash field (stores without hashes key by it; rejections report it). */
export function counterAddress(counter: { readonly key: string; readonly field?: string }): string {
  return counter.field === undefined ? counter.key : `${counter.key}#${counter.field}`;
}

/** What get() reads: a plain counter, or a field of a hash. */
export type CounterRef = string | { readonly key: string; readonly field: string };

export interface ReservePlan {
  /** In rank order. */
  readonly candidates: readonly { readonly id: string; readonly checks: readonly CounterCheck[] }[];
  /** Stop after this many candidates are chosen. */
  readonly want: number;
}

export type CandidateReserveResult =
  | { readonly id: string; readonly status: 'chosen' }
  | { readonly id: string; readonly status: 'rejected'; readonly reason: DropReason; readonly key: string }
  | { readonly id: string; readonly status: 'not_evaluated' };

export interface ReserveOutcome {
  /** One entry per plan candidate, in plan order. */
  readonly results: readonly CandidateReserveResult[];
  readonly chosenIds: readonly string[];
}

/**
 * Counters behind frequency caps, ad-load caps, pacing, goals and suppression.
 * reserve() is atomic per call: concurrent calls never push a reserve key past its limit.
 */
export interface CounterStore {
  reserve(plan: ReservePlan): Promise<ReserveOutcome>;
  /** Adds `by` to a counter, setting ttlS if the key has no TTL yet; returns the new value. */
  increment(key: string, by: number, ttlS: number): Promise<number>;
  /** Sets a flag key (value 1) with a TTL, e.g. the conversion-suppression flag. */
  set(key: string, ttlS: number): Promise<void>;
  /** Current values; null where the counter does not exist. */
  get(keys: readonly CounterRef[]): Promise<(number | null)[]>;
}

/**
 * The reserve walk shared by every store implementation (the Redis Lua script mirrors it line by line):
 * candidates in order; a candidate is chosen when all its checks pass, then each distinct reserve key
 * is incremented once; otherwise the first failing check is recorded; stop after `want` chosen.
 */
export function walkReservePlan(
  plan: ReservePlan,
  read: (key: string) => number | null,
  incrementKey: (key: string, ttlS: number) => void,
): ReserveOutcome {
  const results: CandidateReserveResult[] = [];
  const chosenIds: string[] = [];
  for (const candidate of plan.candidates) {
    if (chosenIds.length >= plan.want) {
      results.push({ id: candidate.id, status: 'not_evaluated' });
      continue;
    }
    let failed: CounterCheck | null = null;
    for (const check of candidate.checks) {
      const current = read(counterAddress(check));
      const ok =
        check.op === 'absent' ? current === null : check.op === 'reserve' ? (current ?? 0) + 1 <= check.limit : (current ?? 0) < check.limit;
      if (!ok) {
        failed = check;
        break;
      }
    }
    if (failed !== null) {
      results.push({ id: candidate.id, status: 'rejected', reason: failed.reason, key: counterAddress(failed) });
      continue;
    }
    const seen = new Set<string>();
    for (const check of candidate.checks) {
      if (check.op !== 'reserve') continue;
      const address = counterAddress(check);
      if (seen.has(address)) continue;
      seen.add(address);
      incrementKey(address, check.ttlS);
    }
    results.push({ id: candidate.id, status: 'chosen' });
    chosenIds.push(candidate.id);
  }
  return { results, chosenIds };
}
