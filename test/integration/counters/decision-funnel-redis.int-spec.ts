import Redis from 'ioredis';
import { decide } from '../../../src/engine/policy/decide';
import { makeBranch, makeCampaign, makeSnapshot } from '../../support/policy-fixtures';
import { createRng } from '../../../src/engine/util/rng';
import { RedisCounterStore } from '../../../src/platform/counters/redis-counter-store';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `test:funnel:${process.pid}:${Date.now().toString(36)}`;
const NOW = Date.parse('2026-11-28T12:00:00Z');

let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('decision funnel on Redis counters under concurrency', () => {
  it('an impression goal is met exactly by 400 concurrent listeners (no overshoot), then the next campaign fills', async () => {
    const store = new RedisCounterStore(redis, `${PREFIX}:goal`);
    const snapshot = makeSnapshot(
      [makeCampaign('g', { priority: 90, goal: { metric: 'impressions', daily: 150, total: null, pacing: 'asap' } }), makeCampaign('h', { priority: 10 })],
      [makeBranch('all', ['g', 'h'])],
    );
    const outs = await Promise.all(
      Array.from({ length: 400 }, (_, u) =>
        decide(snapshot, { slotId: 'slot-1', userId: `u${u}`, platform: 'ios' }, () => false, NOW, createRng(u), store, null),
      ),
    );
    const served = outs.map((o) => (o.kind === 'decided' ? o.decision.ads[0]?.campaign.id : 'none'));
    expect(served.filter((id) => id === 'g').length).toBe(150);
    expect(served.filter((id) => id === 'h').length).toBe(250);
    expect(await store.get(['goal:{c:g}:impressions:d2026-11-28'])).toEqual([150]);
  });

  it('one listener hammering a slot gets exactly the frequency cap, then the ad-load cap stops the rest', async () => {
    const store = new RedisCounterStore(redis, `${PREFIX}:cap`);
    const snapshot = makeSnapshot(
      [makeCampaign('a', { priority: 90, frequencyCaps: [{ impressions: 3, window: 'day' }] }), makeCampaign('b', { priority: 10, frequencyCaps: [{ impressions: 4, window: 'hour' }] })],
      [makeBranch('all', ['a', 'b'])],
      { id: 'slot-1', key: 'k', name: 'n', format: 'banner', platforms: ['ios'], maxAdsPerResponse: 1, adLoadCap: { impressions: 5, window: 'day' } },
    );
    const outs = await Promise.all(
      Array.from({ length: 200 }, (_, i) => decide(snapshot, { slotId: 'slot-1', userId: 'same', platform: 'ios' }, () => false, NOW, createRng(i), store, null)),
    );
    const served = outs.map((o) => (o.kind === 'decided' ? o.decision.ads[0]?.campaign.id ?? 'none' : o.kind));
    expect(served.filter((id) => id === 'a').length).toBe(3);
    expect(served.filter((id) => id === 'b').length).toBe(2); // ad-load cap 5 in total
    const lastExplain = outs.map((o) => (o.kind === 'decided' ? o.decision.explain().map((e) => `${e.campaignId}:${e.reason}`).join(',') : ''));
    expect(lastExplain.filter((e) => e === 'a:cap,b:ad_load_cap').length).toBe(195);
  });
});
