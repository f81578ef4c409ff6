import { Cluster } from 'ioredis';
import { counterStoreContract } from '../../support/counter-store.contract';
import { decide } from '../../../src/engine/policy/decide';
import { makeBranch, makeCampaign, makeSnapshot } from '../../support/policy-fixtures';
import { createRng } from '../../../src/engine/util/rng';
import type { CounterCheck } from '../../../src/engine/caps/counter-store';
import { ClusterCounterStore } from '../../../src/platform/counters/cluster-counter-store';
import { startRedisCluster, type OwnRedisCluster } from '../../support/redis-cluster';

// A private three-primary cluster: keys of one test never meet another's, and tests can read each node.
let own: OwnRedisCluster;
let cluster: Cluster;
let testNo = 0;

beforeAll(async () => {
  own = await startRedisCluster();
  cluster = new Cluster([...own.nodes], { enableAutoPipelining: true, redisOptions: { maxRetriesPerRequest: 1 } });
}, 60_000);

afterAll(async () => {
  cluster?.disconnect();
  await own?.stop();
});

counterStoreContract('redis cluster', async () => {
  const store = new ClusterCounterStore(cluster, `t${++testNo}`);
  return { store, ttlS: (key) => store.ttlS(key) };
});

const cap = (user: string, campaign: string, limit: number): CounterCheck => ({ key: `fc:{u:${user}}:h1`, field: campaign, limit, op: 'reserve', ttlS: 600, reason: 'cap' });
const adLoad = (user: string, limit: number): CounterCheck => ({ key: `fc:{u:${user}}:h1`, field: 'al:slot', limit, op: 'reserve', ttlS: 600, reason: 'ad_load_cap' });
const goal = (campaign: string, limit: number): CounterCheck => ({ key: `goal:{c:${campaign}}:impressions:total`, limit, op: 'reserve', ttlS: 3600, reason: 'goal_reached' });
const dailyGoal = (campaign: string, limit: number): CounterCheck => ({ key: `goal:{c:${campaign}}:impressions:d1`, limit, op: 'reserve', ttlS: 3600, reason: 'goal_reached' });

/**
 * A cluster client without auto-pipelining (so each command passes sendCommand) whose command
 * names are recorded in `sent` once `recording` is set.
 */
function recordingClient(): { client: Cluster; sent: string[]; setRecording(on: boolean): void } {
  const client = new Cluster([...own.nodes], { redisOptions: { maxRetriesPerRequest: 1 } });
  const sent: string[] = [];
  let recording = false;
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((command: { name: string }) => {
    if (recording) sent.push(command.name);
    return original(command as never);
  }) as typeof client.sendCommand;
  return { client, sent, setRecording: (on) => (recording = on) };
}

describe('ClusterCounterStore across slots', () => {
  it('a plan whose counters share one slot is one script call', async () => {
    const { client, sent, setRecording } = recordingClient();
    try {
      const store = new ClusterCounterStore(client, `t${++testNo}`);
      // The same listener's slot, so that its node has the script already (a first call there is NOSCRIPT, then EVAL).
      await store.reserve({ candidates: [{ id: 'warm', checks: [cap('1', 'warm', 1)] }], want: 1 });
      setRecording(true);
      const out = await store.reserve({ candidates: [{ id: 'a', checks: [cap('1', 'a', 1), adLoad('1', 5)] }, { id: 'b', checks: [cap('1', 'b', 1), adLoad('1', 5)] }], want: 2 });
      expect(out.chosenIds).toEqual(['a', 'b']);
      expect(sent).toEqual(['evalsha']);
    } finally {
      client.disconnect();
    }
  });

  it('a goal found full in its own slot rejects its candidate with the goal, and the next is served', async () => {
    const store = new ClusterCounterStore(cluster, `t${++testNo}`);
    await store.increment(goal('c', 5).key, 5, 3600);
    const out = await store.reserve({
      candidates: [
        { id: 'c', checks: [cap('1', 'c', 3), goal('c', 5), adLoad('1', 9)] },
        { id: 'd', checks: [cap('1', 'd', 3), goal('d', 5), adLoad('1', 9)] },
      ],
      want: 1,
    });
    expect(out.results).toEqual([
      { id: 'c', status: 'rejected', reason: 'goal_reached', key: goal('c', 5).key },
      { id: 'd', status: 'chosen' },
    ]);
    expect(await store.get([goal('c', 5).key, goal('d', 5).key, { key: 'fc:{u:1}:h1', field: 'c' }, { key: 'fc:{u:1}:h1', field: 'd' }, { key: 'fc:{u:1}:h1', field: 'al:slot' }])).toEqual([5, 1, null, 1, 1]);
  });

  it('a candidate refused by its goal after its home slot reserved gets those reservations back, and the walk goes on', async () => {
    const store = new ClusterCounterStore(cluster, `t${++testNo}`);
    // a and b share a goal of one, both read as open: the home walk chooses both, the goal takes one.
    const out = await store.reserve({
      candidates: [
        { id: 'a', checks: [cap('1', 'a', 3), goal('ab', 1), adLoad('1', 9)] },
        { id: 'b', checks: [cap('1', 'b', 3), goal('ab', 1), adLoad('1', 9)] },
        { id: 'e', checks: [cap('1', 'e', 3), goal('e', 9), adLoad('1', 9)] },
      ],
      want: 2,
    });
    expect(out.results).toEqual([
      { id: 'a', status: 'chosen' },
      { id: 'b', status: 'rejected', reason: 'goal_reached', key: goal('ab', 1).key },
      { id: 'e', status: 'chosen' },
    ]);
    expect(out.chosenIds).toEqual(['a', 'e']);
    const h = (field: string) => ({ key: 'fc:{u:1}:h1', field });
    expect(await store.get([goal('ab', 1).key, goal('e', 9).key, h('a'), h('b'), h('e'), h('al:slot')])).toEqual([1, 1, 1, 0, 1, 2]);
  });

  it('reads a goal counter in another slot at most once a second per node: again once its last read is a second old', async () => {
    const { client, sent, setRecording } = recordingClient();
    let nowMs = 1_000_000;
    try {
      const store = new ClusterCounterStore(client, `t${++testNo}`, { now: () => nowMs });
      const plan = (user: string) => ({ candidates: [{ id: 'c', checks: [cap(user, 'c', 100), goal('c', 100), adLoad(user, 100)] }], want: 1 });
      // Loads the scripts on the listener's node and the goal's, so that what follows is EVALSHA only.
      await store.reserve(plan('1'));
      nowMs += 1000;
      setRecording(true);
      expect((await store.reserve(plan('1'))).chosenIds).toEqual(['c']);
      expect(sent).toEqual(['get', 'evalsha', 'evalsha']);
      sent.length = 0;
      nowMs += 999;
      expect((await store.reserve(plan('1'))).chosenIds).toEqual(['c']);
      expect(sent).toEqual(['evalsha', 'evalsha']);
      sent.length = 0;
      // 1,999 ms after the last read: due again.
      nowMs += 1000;
      await store.reserve(plan('1'));
      expect(sent).toEqual(['get', 'evalsha', 'evalsha']);
      setRecording(false);
      expect(await store.get([goal('c', 100).key])).toEqual([4]);
    } finally {
      client.disconnect();
    }
  });

  it('a goal read as open that another node has filled since is refused where it lives: nothing is kept, the next ad is served, and the node remembers it full', async () => {
    const prefix = `t${++testNo}`;
    const nodeA = new ClusterCounterStore(cluster, prefix);
    const nodeB = new ClusterCounterStore(cluster, prefix);
    const plan = (user: string) => ({
      candidates: [
        { id: 'c', checks: [cap(user, 'c', 3), goal('c', 2), adLoad(user, 9)] },
        { id: 'd', checks: [cap(user, 'd', 3), goal('d', 9), adLoad(user, 9)] },
      ],
      want: 1,
    });
    expect((await nodeA.reserve(plan('a0'))).chosenIds).toEqual(['c']); // A now remembers c's goal at 1 of 2
    expect((await nodeB.reserve(plan('b0'))).chosenIds).toEqual(['c']); // B fills it
    const refused = await nodeA.reserve(plan('a1'));
    expect(refused.results).toEqual([
      { id: 'c', status: 'rejected', reason: 'goal_reached', key: goal('c', 2).key },
      { id: 'd', status: 'chosen' },
    ]);
    const h = (user: string, field: string) => ({ key: `fc:{u:${user}}:h1`, field });
    expect(await nodeA.get([goal('c', 2).key, goal('d', 9).key, h('a1', 'c'), h('a1', 'd'), h('a1', 'al:slot')])).toEqual([2, 1, 0, 1, 1]);
    // Remembered full: the next walk here rejects c at once, with nothing to give back.
    const next = await nodeA.reserve(plan('a2'));
    expect(next.chosenIds).toEqual(['d']);
    expect(await nodeA.get([h('a2', 'c'), h('a2', 'al:slot')])).toEqual([null, 1]);
  });

  it('a candidate rejected on the ad-load cap that a refused ad had taken is walked again once it is given back', async () => {
    const prefix = `t${++testNo}`;
    const nodeA = new ClusterCounterStore(cluster, prefix);
    const nodeB = new ClusterCounterStore(cluster, prefix);
    const warm = (user: string) => ({ candidates: [{ id: 'g', checks: [cap(user, 'g', 3), goal('g', 2), adLoad(user, 9)] }], want: 1 });
    expect((await nodeA.reserve(warm('a0'))).chosenIds).toEqual(['g']); // A remembers g's goal at 1 of 2
    expect((await nodeB.reserve(warm('b0'))).chosenIds).toEqual(['g']); // B fills it
    // One ad of room left in the listener's ad load: the home walk gives it to g, so b is rejected for
    // it; g's goal then refuses it where it lives, and the ad load it took goes back to b.
    const out = await nodeA.reserve({
      candidates: [
        { id: 'g', checks: [cap('u', 'g', 3), goal('g', 2), adLoad('u', 1)] },
        { id: 'b', checks: [cap('u', 'b', 3), adLoad('u', 1)] },
      ],
      want: 2,
    });
    expect(out.results).toEqual([
      { id: 'g', status: 'rejected', reason: 'goal_reached', key: goal('g', 2).key },
      { id: 'b', status: 'chosen' },
    ]);
    expect(out.chosenIds).toEqual(['b']);
    const h = (field: string) => ({ key: 'fc:{u:u}:h1', field });
    expect(await nodeA.get([goal('g', 2).key, h('g'), h('b'), h('al:slot')])).toEqual([2, 0, 1, 1]);
  });

  it("a campaign's total and daily goals (one slot) are reserved by one script, and refused by it as a whole", async () => {
    const { client, sent, setRecording } = recordingClient();
    try {
      const prefix = `t${++testNo}`;
      const nodeA = new ClusterCounterStore(client, prefix, { now: () => 1_000_000 }); // within one second: no reads after the first
      const nodeB = new ClusterCounterStore(cluster, prefix);
      const plan = (user: string) => ({
        candidates: [
          { id: 'g', checks: [cap(user, 'g', 3), goal('g', 10), dailyGoal('g', 3), adLoad(user, 9)] },
          { id: 'd', checks: [cap(user, 'd', 3), adLoad(user, 9)] },
        ],
        want: 1,
      });
      await nodeA.reserve(plan('a')); // loads the scripts on the listener's node and the goals'
      setRecording(true);
      expect((await nodeA.reserve(plan('a'))).chosenIds).toEqual(['g']);
      expect(sent).toEqual(['evalsha', 'evalsha']); // the listener's walk, then both goals where they live
      setRecording(false);
      expect((await nodeB.reserve(plan('b0'))).chosenIds).toEqual(['g']); // fills the daily goal: 3 of 3
      // A still knows the daily goal at 2 of 3: refused where it lives, with nothing taken there to give
      // back; only the listener's counters are released before the walk goes on.
      sent.length = 0;
      setRecording(true);
      const refused = await nodeA.reserve(plan('a'));
      expect(refused.results).toEqual([
        { id: 'g', status: 'rejected', reason: 'goal_reached', key: dailyGoal('g', 3).key },
        { id: 'd', status: 'chosen' },
      ]);
      expect(sent).toEqual(['evalsha', 'evalsha', 'evalsha', 'evalsha']); // walk, goals (refused), release, walk
      setRecording(false);
      expect(await nodeA.get([goal('g', 10).key, dailyGoal('g', 3).key])).toEqual([3, 3]);
    } finally {
      client.disconnect();
    }
  });

  it('200 concurrent listeners on a goal of 37 in another slot → exactly 37 served it, never more; the rest get the next ad, and only winners keep their cap counts', async () => {
    const store = new ClusterCounterStore(cluster, `t${++testNo}`);
    const outs = await Promise.all(
      Array.from({ length: 200 }, (_, u) =>
        store.reserve({
          candidates: [
            { id: 'c', checks: [cap(`${u}`, 'c', 3), goal('c', 37), adLoad(`${u}`, 9)] },
            { id: 'd', checks: [cap(`${u}`, 'd', 3), goal('d', 1000), adLoad(`${u}`, 9)] },
          ],
          want: 1,
        }),
      ),
    );
    const winners = outs.flatMap((o, u) => (o.chosenIds[0] === 'c' ? [u] : []));
    expect(winners).toHaveLength(37);
    expect(outs.filter((o) => o.chosenIds[0] === 'd')).toHaveLength(163);
    expect(await store.get([goal('c', 37).key, goal('d', 1000).key])).toEqual([37, 163]);
    const capCounts = await store.get(Array.from({ length: 200 }, (_, u) => ({ key: `fc:{u:${u}}:h1`, field: 'c' })));
    expect(capCounts.map((v, u) => (winners.includes(u) ? v === 1 : (v ?? 0) === 0)).every(Boolean)).toBe(true);
    const loads = await store.get(Array.from({ length: 200 }, (_, u) => ({ key: `fc:{u:${u}}:h1`, field: 'al:slot' })));
    expect(loads.every((v) => v === 1)).toBe(true);
  });
});

describe('the decision funnel on Cluster counters under concurrency', () => {
  const NOW = Date.parse('2026-11-28T12:00:00Z');

  it('an impression goal (its campaign slot) is met exactly by 400 concurrent listeners (their own slots), then the next campaign fills', async () => {
    const store = new ClusterCounterStore(cluster, `t${++testNo}`);
    const snapshot = makeSnapshot(
      [makeCampaign('g', { priority: 90, goal: { metric: 'impressions', daily: 150, total: null, pacing: 'asap' }, frequencyCaps: [{ impressions: 2, window: 'day' }] }), makeCampaign('h', { priority: 10 })],
      [makeBranch('all', ['g', 'h'])],
    );
    const outs = await Promise.all(Array.from({ length: 400 }, (_, u) => decide(snapshot, { slotId: 'slot-1', userId: `u${u}`, platform: 'ios' }, () => false, NOW, createRng(u), store, null)));
    const served = outs.map((o) => (o.kind === 'decided' ? o.decision.ads[0]?.campaign.id : 'none'));
    expect(served.filter((id) => id === 'g')).toHaveLength(150);
    expect(served.filter((id) => id === 'h')).toHaveLength(250);
    expect(await store.get(['goal:{c:g}:impressions:d2026-11-28'])).toEqual([150]);
  });

  it('one listener hammering a slot gets exactly the frequency cap, then the ad-load cap stops the rest', async () => {
    const store = new ClusterCounterStore(cluster, `t${++testNo}`);
    const snapshot = makeSnapshot(
      [
        makeCampaign('a', { priority: 90, frequencyCaps: [{ impressions: 3, window: 'day' }], goal: { metric: 'impressions', daily: 1000, total: null, pacing: 'asap' } }),
        makeCampaign('b', { priority: 10, frequencyCaps: [{ impressions: 4, window: 'hour' }] }),
      ],
      [makeBranch('all', ['a', 'b'])],
      { id: 'slot-1', key: 'k', name: 'n', format: 'banner', platforms: ['ios'], maxAdsPerResponse: 1, adLoadCap: { impressions: 5, window: 'day' } },
    );
    const outs = await Promise.all(Array.from({ length: 200 }, (_, i) => decide(snapshot, { slotId: 'slot-1', userId: 'same', platform: 'ios' }, () => false, NOW, createRng(i), store, null)));
    const served = outs.map((o) => (o.kind === 'decided' ? (o.decision.ads[0]?.campaign.id ?? 'none') : o.kind));
    expect(served.filter((id) => id === 'a')).toHaveLength(3);
    expect(served.filter((id) => id === 'b')).toHaveLength(2);
    // a's goal counted its three impressions only: none of the refused walks kept a reservation.
    expect(await store.get(['goal:{c:a}:impressions:d2026-11-28'])).toEqual([3]);
  });
});
