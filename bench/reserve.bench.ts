/**
 * npm run bench:reserve — what one decision's counter reserve costs Redis, the resource every API
 * replica shares. Plans have the shape `bench:decision` sends: ten candidates, each with a
 * conversion-suppression flag, an hourly cap of 3 and a daily cap of 10 in the listener's bucket
 * hashes, and the slot's daily ad-load cap of 20; one ad wanted. Two kinds of listener:
 *   first:     no counter exists yet (every write creates its field and its hash);
 *   returning: the same listeners again in the same buckets (the common case in production).
 * Reference, in the same run: a no-op script call (`return 0`, no keys), Redis's fixed cost of any
 * EVALSHA, so the ratios hold across this machine's phases. Redis time is read from INFO
 * commandstats (the script's usec include the commands it runs); run it with Redis otherwise idle.
 * Then Redis Cluster (ClusterCounterStore): a private three-node cluster against a private single
 * node, both started here with the same settings, on first-time listeners' plans without goals
 * (one script call, as on one node) and with an impressions goal on every candidate (its counter
 * in the campaign's slot: a read, the listener's script, a reserve where the goal lives). Measured
 * as the Redis processes' CPU (INFO cpu, all nodes summed) per decision: the cluster's cost
 * over the single node's, for capacity planning (each node adds a core).
 * Prints last: reserve-bench: first_us=… returning_us=… noop_us=… first_ratio=… returning_ratio=… first_commands=… returning_commands=… cluster_plain_ratio=… cluster_goal_ratio=…
 */
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import type { CounterCheck, ReservePlan } from '../src/engine/caps/counter-store';
import { adLoadField, capBucket, capHashKey, suppressionKey } from '../src/engine/caps/frequency-caps';
import { localClock } from '../src/engine/policy/local-time';
import type { CounterStore } from '../src/engine/caps/counter-store';
import { ClusterCounterStore } from '../src/platform/counters/cluster-counter-store';
import { RedisCounterStore } from '../src/platform/counters/redis-counter-store';
import { startOwnRedis } from '../test/support/own-redis';
import { startRedisCluster } from '../test/support/redis-cluster';
import { BENCH_REDIS_URL, deleteRedisKeys } from './lib/production';

const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 30_000);
const IN_FLIGHT = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CANDIDATES = 10;

type Stats = Map<string, { calls: number; usec: number }>;

async function commandStats(redis: Redis): Promise<Stats> {
  const out: Stats = new Map();
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/g)) out.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
  return out;
}

function planFor(userId: string, campaigns: readonly string[], slotId: string, nowMs: number, withGoal = false): ReservePlan {
  const clock = localClock(nowMs, 'Asia/Shanghai');
  const hour = capBucket('hour', nowMs, clock, null);
  const day = capBucket('day', nowMs, clock, null);
  const hourKey = capHashKey(userId, hour.tag);
  const dayKey = capHashKey(userId, day.tag);
  const adLoad: CounterCheck = { key: dayKey, field: adLoadField(slotId), limit: 20, op: 'reserve', ttlS: day.ttlS, reason: 'ad_load_cap' };
  return {
    want: 1,
    candidates: campaigns.map((id) => ({
      id,
      checks: [
        { key: suppressionKey(userId, id), limit: 0, op: 'absent', ttlS: 0, reason: 'suppressed' },
        { key: hourKey, field: id, limit: 3, op: 'reserve', ttlS: hour.ttlS, reason: 'cap' },
        { key: dayKey, field: id, limit: 10, op: 'reserve', ttlS: day.ttlS, reason: 'cap' },
        adLoad,
        ...(withGoal ? [{ key: `goal:{c:${id}}:impressions:d${clock.dateKey}`, limit: 1_000_000_000, op: 'reserve' as const, ttlS: day.ttlS + 2 * 86_400, reason: 'goal_reached' as const }] : []),
      ],
    })),
  };
}

/** User plus system CPU seconds of a Redis server, from INFO cpu. */
async function redisCpuS(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

/** Redis CPU µs per decision, summed over `nodes`, for LISTENERS first-time listeners' plans through `store`. */
async function cpuPerDecision(nodes: readonly Redis[], store: CounterStore, campaigns: readonly string[], slotId: string, tag: string, withGoal: boolean): Promise<number> {
  const before = await Promise.all(nodes.map(redisCpuS));
  await drive(LISTENERS, (i) => store.reserve(planFor(`${tag}-u${i}`, campaigns, slotId, Date.now(), withGoal)));
  const after = await Promise.all(nodes.map(redisCpuS));
  return (after.reduce((sum, s, k) => sum + s - before[k], 0) * 1e6) / LISTENERS;
}

/** The cluster's Redis CPU per decision over a single node's, without and with goals; medians of the rounds. */
async function clusterRatios(campaigns: readonly string[], slotId: string): Promise<{ plain: number; goal: number }> {
  const own = await startOwnRedis();
  const cluster = await startRedisCluster();
  const single = new Redis(own.url, { enableAutoPipelining: true });
  const client = new Cluster([...cluster.nodes], { enableAutoPipelining: true });
  const nodes = cluster.nodes.map((n) => new Redis(n.port, n.host));
  const ratios = { plain: [] as number[], goal: [] as number[] };
  try {
    const singleStore = new RedisCounterStore(single, 'b');
    const clusterStore = new ClusterCounterStore(client, 'b');
    for (let round = 0; round < ROUNDS; round++) {
      for (const withGoal of [false, true]) {
        const tag = `${round}-${withGoal ? 'g' : 'p'}`;
        const singleUs = await cpuPerDecision([single], singleStore, campaigns, slotId, `s${tag}`, withGoal);
        const clusterUs = await cpuPerDecision(nodes, clusterStore, campaigns, slotId, `c${tag}`, withGoal);
        (withGoal ? ratios.goal : ratios.plain).push(clusterUs / singleUs);
        process.stdout.write(`# cluster round ${round + 1}, ${withGoal ? 'a goal on every candidate' : 'no goals'}: Redis CPU per decision ${clusterUs.toFixed(1)} µs over three nodes, ${singleUs.toFixed(1)} µs on one\n`);
      }
    }
  } finally {
    single.disconnect();
    client.disconnect();
    for (const node of nodes) node.disconnect();
    await own.stop();
    await cluster.stop();
  }
  return { plain: median(ratios.plain), goal: median(ratios.goal) };
}

/** Runs `call` once per listener, IN_FLIGHT at a time (as concurrent decisions of one API node are). */
async function drive(count: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await call(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

/** Redis µs per EVALSHA and commands run per EVALSHA (inside scripts) over one drive. */
async function measure(redis: Redis, count: number, call: (i: number) => Promise<unknown>): Promise<{ us: number; commands: number }> {
  const before = await commandStats(redis);
  await drive(count, call);
  const after = await commandStats(redis);
  const delta = (name: string) => ({ calls: (after.get(name)?.calls ?? 0) - (before.get(name)?.calls ?? 0), usec: (after.get(name)?.usec ?? 0) - (before.get(name)?.usec ?? 0) });
  const evalsha = delta('evalsha');
  let inner = 0;
  for (const name of after.keys()) if (!['evalsha', 'info', 'script', 'ping'].includes(name)) inner += delta(name).calls;
  return { us: evalsha.usec / evalsha.calls, commands: inner / evalsha.calls };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const redis = new Redis(BENCH_REDIS_URL, { enableAutoPipelining: true });
  const prefix = `mbbench-reserve-${randomUUID().slice(0, 8)}`;
  const store = new RedisCounterStore(redis, `${prefix}:c:`);
  const campaigns = Array.from({ length: CANDIDATES }, () => randomUUID());
  const slotId = randomUUID();
  const noopSha = String(await redis.script('LOAD', 'return 0'));
  const results = { first: [] as number[], returning: [] as number[], noop: [] as number[], firstCommands: 0, returningCommands: 0 };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Each plan is built at its call, as decisions are: its TTLs count from that moment.
      const reserve = (i: number) => store.reserve(planFor(`r${round}-u${i}`, campaigns, slotId, Date.now()));
      const first = await measure(redis, LISTENERS, reserve);
      const returning = await measure(redis, LISTENERS, reserve);
      const noop = await measure(redis, LISTENERS, () => redis.evalsha(noopSha, 0));
      results.first.push(first.us);
      results.returning.push(returning.us);
      results.noop.push(noop.us);
      results.firstCommands = first.commands;
      results.returningCommands = returning.commands;
      process.stdout.write(`# round ${round + 1}: first ${first.us.toFixed(1)} µs (${first.commands.toFixed(1)} commands), returning ${returning.us.toFixed(1)} µs (${returning.commands.toFixed(1)} commands), no-op ${noop.us.toFixed(2)} µs\n`);
    }
  } finally {
    redis.disconnect();
    await deleteRedisKeys(prefix);
  }
  const cluster = await clusterRatios(campaigns, slotId);
  const first = median(results.first);
  const returning = median(results.returning);
  const noop = median(results.noop);
  process.stdout.write(`# ${LISTENERS} listeners × ${ROUNDS} rounds, ${CANDIDATES} candidates per plan, ${IN_FLIGHT} in flight; medians of the rounds\n`);
  process.stdout.write(
    `reserve-bench: first_us=${first.toFixed(1)} returning_us=${returning.toFixed(1)} noop_us=${noop.toFixed(2)} first_ratio=${(first / noop).toFixed(1)} returning_ratio=${(returning / noop).toFixed(1)} first_commands=${results.firstCommands.toFixed(1)} returning_commands=${results.returningCommands.toFixed(1)} cluster_plain_ratio=${cluster.plain.toFixed(2)} cluster_goal_ratio=${cluster.goal.toFixed(2)}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`reserve bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
