import type { Redis } from 'ioredis';
import type { CounterRef, CounterStore, ReserveOutcome, ReservePlan } from '../../engine/caps/counter-store';
import { INCREMENT_LUA, RESERVE_LUA } from './reserve-lua';
import { decodeReserveCodes, encodeReservePlan } from './reserve-plan-encoding';

interface CounterCommands {
  mbReserve(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  mbIncrement(key: string, by: number, ttlS: number): Promise<number>;
}

/**
 * Production counter store: one EVALSHA (ioredis defineCommand, NOSCRIPT reload handled by ioredis) per reserve.
 * Every key is written as `${keyPrefix}:${key}`; user-scoped keys keep their `{u:<id>}` hash tag, so a
 * decision whose checks are all user-scoped stays on one Cluster slot. For a single Redis or Sentinel;
 * on Redis Cluster, where campaign goal keys sit in other slots, ClusterCounterStore runs the same script.
 */
export class RedisCounterStore implements CounterStore {
  private readonly commands: CounterCommands;
  private readonly prefixedKey = (key: string): string => `${this.keyPrefix}:${key}`;

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
    const { keys, packed, fields } = encodeReservePlan(plan, this.prefixedKey);
    return decodeReserveCodes(plan, await this.commands.mbReserve(keys.length, ...keys, packed, ...fields));
  }

  async increment(key: string, by: number, ttlS: number): Promise<number> {
    return Number(await this.commands.mbIncrement(this.prefixedKey(key), by, Math.max(0, Math.ceil(ttlS))));
  }

  async set(key: string, ttlS: number): Promise<void> {
    await this.redis.set(this.prefixedKey(key), '1', 'EX', Math.max(1, Math.ceil(ttlS)));
  }

  async get(keys: readonly CounterRef[]): Promise<(number | null)[]> {
    if (keys.length === 0) return [];
    // A pipeline of GETs rather than MGET: keys of different users hash to different Cluster slots.
    const pipeline = this.redis.pipeline();
    for (const key of keys) {
      if (typeof key === 'string') pipeline.get(this.prefixedKey(key));
      else pipeline.hget(this.prefixedKey(key.key), key.field);
    }
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, value]) => {
      if (err) throw err;
      return value === null || value === undefined ? null : Number(value);
    });
  }

  /** Remaining TTL in seconds of a key (of a hash, for its fields) as Redis reports it (-1 none, -2 absent); for tests and diagnostics. */
  async ttlS(key: string): Promise<number> {
    return this.redis.ttl(this.prefixedKey(key));
  }
}
