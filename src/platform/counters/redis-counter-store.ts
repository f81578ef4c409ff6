import type { Redis } from 'ioredis';
import { counterAddress, type CandidateReserveResult, type CounterRef, type CounterStore, type ReserveOutcome, type ReservePlan } from '../../engine/caps/counter-store';
import { INCREMENT_LUA, RESERVE_LUA } from './reserve-lua';

interface CounterCommands {
  mbReserve(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  mbIncrement(key: string, by: number, ttlS: number): Promise<number>;
}

const OP_CODE = { reserve: 'r', read: 'd', absent: 'a' } as const;

/**
 * Production counter store: one EVALSHA (ioredis defineCommand, NOSCRIPT reload handled by ioredis) per reserve.
 * Every key is written as `${keyPrefix}:${key}`; user-scoped keys keep their `{u:<id>}` hash tag, so a
 * decision whose checks are all user-scoped stays on one Cluster slot (campaign goal keys do not: see README).
 */
export class RedisCounterStore implements CounterStore {
  private readonly commands: CounterCommands;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {
    if (!('mbReserve' in redis)) {
      redis.defineCommand('mbReserve', { lua: RESERVE_LUA });
      redis.defineCommand('mbIncrement', { lua: INCREMENT_LUA, numberOfKeys: 1 });
    }
    this.commands = redis as unknown as CounterCommands;
  }

  async reserve(plan: ReservePlan): Promise<ReserveOutcome> {
    // Candidates of one decision share a few keys (the listener's bucket hashes, the same string
    // objects) and fields (a campaign's field sits in its hour and its day hash; the slot's ad-load
    // field is in every candidate), so each key, with its TTL, and each field is sent once and
    // checks refer to them by index: a plan of ten candidates is well under half the text it was
    // with every field and TTL spelled out per check, and encoding that text was the largest part
    // of a decision's Redis cost on the client. Fields go as arguments of their own, so the script
    // never parses the ones of candidates it does not reach.
    const keyIndex = new Map<string, number>();
    const keys: string[] = [];
    const keyTtlS: number[] = [];
    const fieldIndex = new Map<string, number>();
    const fields: string[] = [];
    let body = '';
    for (const candidate of plan.candidates) {
      body += ` ${candidate.checks.length}`;
      for (const check of candidate.checks) {
        let k = keyIndex.get(check.key);
        if (k === undefined) {
          keys.push(this.prefixed(check.key));
          keyTtlS.push(0);
          k = keys.length;
          keyIndex.set(check.key, k);
        }
        // A key's TTL is the longest any of its reserve checks asks for: a bucket hash holds the
        // counters of one bucket, so its checks agree up to the zones' ends of day.
        if (check.op === 'reserve') keyTtlS[k - 1] = Math.max(keyTtlS[k - 1], Math.ceil(check.ttlS));
        let f = 0;
        if (check.field !== undefined) {
          f = fieldIndex.get(check.field) ?? 0;
          if (f === 0) {
            fields.push(check.field);
            f = fields.length;
            fieldIndex.set(check.field, f);
          }
        }
        body += ` ${k} ${OP_CODE[check.op]} ${check.limit} ${f}`;
      }
    }
    const packed = `${plan.want} ${plan.candidates.length} ${keyTtlS.join(' ')}${body}`;
    const codes = await this.commands.mbReserve(keys.length, ...keys, packed, ...fields);
    const results: CandidateReserveResult[] = [];
    const chosenIds: string[] = [];
    plan.candidates.forEach((candidate, i) => {
      const code = Number(codes[i]);
      if (code === -1) {
        results.push({ id: candidate.id, status: 'chosen' });
        chosenIds.push(candidate.id);
      } else if (code === 0) {
        results.push({ id: candidate.id, status: 'not_evaluated' });
      } else {
        const check = candidate.checks[code - 1];
        results.push({ id: candidate.id, status: 'rejected', reason: check.reason, key: counterAddress(check) });
      }
    });
    return { results, chosenIds };
  }

  async increment(key: string, by: number, ttlS: number): Promise<number> {
    return Number(await this.commands.mbIncrement(this.prefixed(key), by, Math.max(0, Math.ceil(ttlS))));
  }

  async set(key: string, ttlS: number): Promise<void> {
    await this.redis.set(this.prefixed(key), '1', 'EX', Math.max(1, Math.ceil(ttlS)));
  }

  async get(keys: readonly CounterRef[]): Promise<(number | null)[]> {
    if (keys.length === 0) return [];
    // A pipeline of GETs rather than MGET: keys of different users hash to different Cluster slots.
    const pipeline = this.redis.pipeline();
    for (const key of keys) {
      if (typeof key === 'string') pipeline.get(this.prefixed(key));
      else pipeline.hget(this.prefixed(key.key), key.field);
    }
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, value]) => {
      if (err) throw err;
      return value === null || value === undefined ? null : Number(value);
    });
  }

  /** Remaining TTL in seconds of a key (of a hash, for its fields) as Redis reports it (-1 none, -2 absent); for tests and diagnostics. */
  async ttlS(key: string): Promise<number> {
    return this.redis.ttl(this.prefixed(key));
  }

  private prefixed(key: string): string {
    return `${this.keyPrefix}:${key}`;
  }
}
