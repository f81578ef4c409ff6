import { createHash } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import { counterAddress, walkReservePlan, type CandidateReserveResult, type CounterCheck, type CounterRef, type CounterStore, type ReserveOutcome, type ReservePlan } from '../../engine/caps/counter-store';
import { INCREMENT_LUA, RELEASE_LUA, RESERVE_LUA } from './reserve-lua';
import { decodeReserveCodes, encodeReservePlan } from './reserve-plan-encoding';

/** A script and its SHA1, run by EVALSHA (EVAL when a node does not have it yet). */
interface ClusterScript {
  readonly lua: string;
  readonly sha: string;
}

const scriptOf = (lua: string): ClusterScript => ({ lua, sha: createHash('sha1').update(lua).digest('hex') });
/**
 * How long a node trusts what it read of a counter outside a plan's home slot (a campaign's goal).
 * A stale "open" costs a refusal where the goal lives and a second walk, never an overshoot; a
 * stale "full" keeps a goal closed a second after a release. Read-only goal checks (clicks,
 * conversions) stop delivery up to this much later than on one Redis, on top of the clicks in flight.
 */
const AWAY_READ_TTL_MS = 1000;
/** Past this many remembered counters, the stale ones are dropped (goal keys change daily). */
const AWAY_READS_MAX = 10_000;
const SCRIPTS = { reserve: scriptOf(RESERVE_LUA), release: scriptOf(RELEASE_LUA), increment: scriptOf(INCREMENT_LUA) };

/**
 * Counters on Redis Cluster, for when one Redis primary is not enough (see the README's
 * scale-out section). A script may only touch keys of one slot. A decision's listener-scoped counters
 * share the `{u:<id>}` hash tag, but goal counters are tagged per campaign (`{c:<id>}`), so:
 * - a plan whose counters all sit in one slot (no goal checks) is one script call, as on a single
 *   Redis;
 * - otherwise the slot holding most of the plan's checks (the listener's) is its home. Counters in
 *   other slots are read (at most once a second per node: AWAY_READ_TTL_MS); the home script walks
 *   the plan with those checks decided by what was read; then each chosen candidate reserves its
 *   other-slot counters atomically, one script per slot (a campaign's goals share one). A candidate refused there (a goal
 *   filled since the read) gets its home reservations back and is rejected for that counter, and
 *   the walk goes on with the candidates it had not reached. Two round trips instead of one, three
 *   when a read is due.
 * Caps and goals are never exceeded: every reservation is atomic where its counter lives. Only
 * during the moments between a home reservation and its release can another decision see a counter
 * one higher than it ends, so at a limit, concurrent decisions can under-deliver, never over-deliver.
 * A candidate the walk rejected on a home counter that a refused one gives back is walked again.
 */
export class ClusterCounterStore implements CounterStore {
  private readonly prefixedKey = (key: string): string => `${this.keyPrefix}:${key}`;

  /** What this node last read of counters outside plans' home slots, plus its own reservations since, by address. */
  private readonly awayReads = new Map<string, { value: number | null; atMs: number }>();
  private readonly awayReadTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly cluster: Cluster,
    private readonly keyPrefix: string,
    options: { awayReadTtlMs?: number; now?: () => number } = {},
  ) {
    this.awayReadTtlMs = options.awayReadTtlMs ?? AWAY_READ_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * Plain EVALSHA rather than ioredis's defineCommand: auto-pipelining routes a command on Cluster
   * by its first key, which it finds for EVALSHA but not for a defined script whose key count varies
   * (it takes the count for a key, and every reserve lands in one pipeline that ioredis then
   * refuses). A node without the script gets it through EVAL, which caches it there.
   */
  private async run(script: ClusterScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await this.cluster.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return this.cluster.eval(script.lua, keys.length, ...keys, ...args);
    }
  }

  async reserve(plan: ReservePlan): Promise<ReserveOutcome> {
    const slotOfKey = new Map<string, number>();
    const checksInSlot = new Map<number, number>();
    let home = -1;
    for (const candidate of plan.candidates) {
      for (const check of candidate.checks) {
        let slot = slotOfKey.get(check.key);
        if (slot === undefined) {
          slot = calculateSlot(this.prefixedKey(check.key));
          slotOfKey.set(check.key, slot);
        }
        const n = (checksInSlot.get(slot) ?? 0) + 1;
        checksInSlot.set(slot, n);
        if (home === -1 || n > checksInSlot.get(home)!) home = slot;
      }
    }
    if (checksInSlot.size <= 1) return this.walkHome(plan);
    const isAway = (check: CounterCheck) => slotOfKey.get(check.key) !== home;

    // What the counters outside the home slot hold, read again only when this node's last look is
    // older than awayReadTtlMs: a goal fills slowly, and a stale "open" costs only a refusal below.
    const nowMs = this.now();
    const toRead: CounterCheck[] = [];
    const seenAway = new Set<string>();
    for (const candidate of plan.candidates) {
      for (const check of candidate.checks) {
        if (!isAway(check)) continue;
        const address = counterAddress(check);
        if (seenAway.has(address)) continue;
        seenAway.add(address);
        const last = this.awayReads.get(address);
        if (last === undefined || nowMs - last.atMs >= this.awayReadTtlMs) toRead.push(check);
      }
    }
    if (toRead.length > 0) {
      const values = await this.get(toRead.map((c) => (c.field === undefined ? c.key : { key: c.key, field: c.field })));
      if (this.awayReads.size > AWAY_READS_MAX) this.dropStaleAwayReads(nowMs);
      toRead.forEach((c, i) => this.awayReads.set(counterAddress(c), { value: values[i], atMs: nowMs }));
    }
    const passes = (check: CounterCheck): boolean => {
      const value = this.awayReads.get(counterAddress(check))?.value ?? null;
      if (check.op === 'absent') return value === null;
      return check.op === 'reserve' ? (value ?? 0) + 1 <= check.limit : (value ?? 0) < check.limit;
    };

    const results: (CandidateReserveResult | undefined)[] = new Array(plan.candidates.length);
    let pending = plan.candidates.map((_, i) => i);
    let chosenCount = 0;
    while (pending.length > 0 && chosenCount < plan.want) {
      const walk: ReservePlan = { want: plan.want - chosenCount, candidates: pending.map((i) => plan.candidates[i]) };
      const outcome = await this.walkHome(walk, (check) => (isAway(check) ? passes(check) : undefined));
      const chosenNow: number[] = [];
      const next: number[] = [];
      outcome.results.forEach((result, k) => {
        const i = pending[k];
        if (result.status === 'chosen') chosenNow.push(i);
        else if (result.status === 'not_evaluated') next.push(i);
        else results[i] = result;
      });
      const refusals = await Promise.all(chosenNow.map((i) => this.reserveAway(plan.candidates[i].checks, isAway, (check) => slotOfKey.get(check.key)!)));
      const released = new Set<string>();
      for (let k = 0; k < chosenNow.length; k++) {
        const i = chosenNow[k];
        const refused = refusals[k];
        if (refused === null) {
          results[i] = { id: plan.candidates[i].id, status: 'chosen' };
          chosenCount++;
          continue;
        }
        for (const check of await this.releaseHome(plan.candidates[i].checks, isAway)) released.add(counterAddress(check));
        // Later walks (of this decision and of the next ones here) see this counter as full, as it was found.
        this.awayReads.set(counterAddress(refused), { value: refused.limit, atMs: this.now() });
        results[i] = { id: plan.candidates[i].id, status: 'rejected', reason: refused.reason, key: counterAddress(refused) };
      }
      // A candidate rejected on a counter given back just now (the slot's ad-load cap, which the
      // refused ad had taken) is walked again: one script over the plan would not have rejected it.
      if (released.size > 0) {
        results.forEach((result, i) => {
          if (result?.status === 'rejected' && released.has(result.key)) {
            results[i] = undefined;
            next.push(i);
          }
        });
        next.sort((a, b) => a - b);
      }
      pending = next;
    }
    const chosenIds: string[] = [];
    const final = plan.candidates.map((candidate, i): CandidateReserveResult => {
      const result = results[i] ?? { id: candidate.id, status: 'not_evaluated' };
      if (result.status === 'chosen') chosenIds.push(candidate.id);
      return result;
    });
    return { results: final, chosenIds };
  }

  async increment(key: string, by: number, ttlS: number): Promise<number> {
    return Number(await this.run(SCRIPTS.increment, [this.prefixedKey(key)], [by, Math.max(0, Math.ceil(ttlS))]));
  }

  async set(key: string, ttlS: number): Promise<void> {
    await this.cluster.set(this.prefixedKey(key), '1', 'EX', Math.max(1, Math.ceil(ttlS)));
  }

  async get(keys: readonly CounterRef[]): Promise<(number | null)[]> {
    // One command per counter (auto-pipelined per node): a pipeline on Cluster must stay in one slot.
    const values = await Promise.all(keys.map((key) => (typeof key === 'string' ? this.cluster.get(this.prefixedKey(key)) : this.cluster.hget(this.prefixedKey(key.key), key.field))));
    return values.map((value) => (value === null || value === undefined ? null : Number(value)));
  }

  /** Remaining TTL in seconds of a key (of a hash, for its fields) as Redis reports it; for tests and diagnostics. */
  async ttlS(key: string): Promise<number> {
    return this.cluster.ttl(this.prefixedKey(key));
  }

  private async walkHome(plan: ReservePlan, decided?: (check: CounterCheck) => boolean | undefined): Promise<ReserveOutcome> {
    const { keys, packed, fields } = encodeReservePlan(plan, this.prefixedKey, decided);
    if (keys.length === 0) {
      // No check in the home slot: every one was decided by what this node knows of the others'
      // counters, so the shared walk runs here on those values, in the script's stead.
      return walkReservePlan(plan, (address) => this.awayReads.get(address)?.value ?? null, () => undefined);
    }
    return decodeReserveCodes(plan, (await this.run(SCRIPTS.reserve, keys, [packed, ...fields])) as number[]);
  }

  /**
   * Reserves a chosen candidate's counters outside the home slot where they live: those of one slot
   * (a campaign's total and daily goals share its `{c:<id>}` tag) with the reserve script on a
   * one-candidate plan, atomically, so a daily goal that refuses never takes the total first. The
   * first refused check, or null. Gives back what other slots took when one refuses.
   */
  private async reserveAway(checks: readonly CounterCheck[], isAway: (check: CounterCheck) => boolean, slotOf: (check: CounterCheck) => number): Promise<CounterCheck | null> {
    const away = distinctReserves(checks, isAway);
    if (away.length === 0) return null;
    const bySlot = new Map<number, CounterCheck[]>();
    for (const check of away) {
      const group = bySlot.get(slotOf(check));
      if (group === undefined) bySlot.set(slotOf(check), [check]);
      else group.push(check);
    }
    const groups = [...bySlot.values()];
    const codes = await Promise.all(
      groups.map(async (group) => {
        const { keys, packed, fields } = encodeReservePlan({ want: 1, candidates: [{ id: '', checks: group }] }, this.prefixedKey);
        const [code] = (await this.run(SCRIPTS.reserve, keys, [packed, ...fields])) as number[];
        return Number(code);
      }),
    );
    const refusedAt = codes.findIndex((code) => code !== -1);
    if (refusedAt === -1) {
      // This node's own reservations, counted in what it knows until its next read.
      for (const check of away) {
        const known = this.awayReads.get(counterAddress(check));
        if (known !== undefined) known.value = (known.value ?? 0) + 1;
      }
      return null;
    }
    const took = groups.filter((_, k) => codes[k] === -1);
    if (took.length > 0) await Promise.all(took.map((group) => this.release(group)));
    return groups[refusedAt][codes[refusedAt] - 1];
  }

  private dropStaleAwayReads(nowMs: number): void {
    for (const [address, read] of this.awayReads) if (nowMs - read.atMs >= this.awayReadTtlMs) this.awayReads.delete(address);
  }

  /** Gives back the home reservations of a candidate the other slots refused; the counters given back. */
  private async releaseHome(checks: readonly CounterCheck[], isAway: (check: CounterCheck) => boolean): Promise<CounterCheck[]> {
    const home = distinctReserves(checks, (check) => !isAway(check));
    if (home.length > 0) await this.release(home);
    return home;
  }

  /** Takes one back from each counter (all in one slot). */
  private async release(checks: readonly CounterCheck[]): Promise<void> {
    await this.run(
      SCRIPTS.release,
      checks.map((check) => this.prefixedKey(check.key)),
      checks.map((check) => check.field ?? ''),
    );
  }
}

/** A candidate's reserve checks that `where` selects, one per counter (as the reserve counts each once). */
function distinctReserves(checks: readonly CounterCheck[], where: (check: CounterCheck) => boolean): CounterCheck[] {
  const seen = new Set<string>();
  return checks.filter((check) => {
    if (check.op !== 'reserve' || !where(check)) return false;
    const address = counterAddress(check);
    if (seen.has(address)) return false;
    seen.add(address);
    return true;
  });
}
