import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool } from 'pg';
import { DecisionService } from '../../../src/modules/delivery/decision.service';
import { eventually } from '../../support/job-driver.contract';
import { expectOk } from '../../support/seed-ads';
import { createProductionEnv, http, startProductionApp, type ProductionTestEnv, type TestApp } from '../../support/test-app';

interface Tally {
  postgres: number;
  redis: number;
}

/**
 * The hot path's promise, checked where it is made: while an API node decides, no PostgreSQL
 * connection or query is asked for, and the counters' Redis client sends one command (the reserve
 * script). Calls are attributed to a decision by the async context DecisionService.decide runs in,
 * so the node's own background work (key refresh, snapshot poll) does not count.
 */
describe('the hot path (production mode, one API node)', () => {
  let prod: ProductionTestEnv;
  let node: TestApp;
  let client: string;
  const context = new AsyncLocalStorage<Tally>();

  beforeAll(async () => {
    prod = await createProductionEnv({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    node = await startProductionApp(prod, 'api');
    const admin = prod.adminKey;
    client = (await expectOk(http(node.url, 'POST', '/v1/api-keys', { key: admin, body: { name: 'app', role: 'slot-client' } }))).key as string;
    await expectOk(http(node.url, 'POST', '/v1/slots', { key: admin, body: { key: 'hot', name: 'Hot', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 2, adLoadCap: { impressions: 50, window: 'day' } } }));
    const campaignIds: string[] = [];
    for (const name of ['capped', 'goal']) {
      const campaign = await expectOk(
        http(node.url, 'POST', '/v1/campaigns', {
          key: admin,
          body: {
            name,
            category: 'partner',
            priority: 10,
            platforms: ['ios'],
            slots: ['hot'],
            schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' },
            frequencyCaps: [{ impressions: 20, window: 'day' }],
            ...(name === 'goal' ? { goal: { metric: 'impressions', daily: 100000, pacing: 'asap' } } : {}),
          },
        }),
      );
      await expectOk(http(node.url, 'POST', `/v1/campaigns/${campaign.id}/creatives`, { key: admin, body: { type: 'text', formats: ['feed'], title: name, landingUrl: 'https://x.example.com' } }));
      await expectOk(http(node.url, 'POST', `/v1/campaigns/${campaign.id}/status`, { key: admin, headers: { 'if-match': '"1"' }, body: { status: 'active' } }));
      campaignIds.push(campaign.id);
    }
    await expectOk(http(node.url, 'PUT', '/v1/slots/hot/policy', { key: admin, body: { branches: [{ name: 'all', audience: 'everyone', campaignIds, method: 'priority' }] } }));
    await eventually(async () => ((await decide('warm')).body.ads?.length === 2 ? true : null), 30_000);

    const pool = (node.api.infra.database as unknown as { dataSource: { driver: { master: Pool } } }).dataSource.driver.master;
    const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as unknown as { connect: unknown }).connect = (...args: unknown[]) => (count('postgres'), connect(...args));
    (pool as unknown as { query: unknown }).query = (...args: unknown[]) => (count('postgres'), query(...args));
    const redis = node.api.infra.redis!;
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((...args: Parameters<typeof send>) => (count('redis'), send(...args))) as typeof redis.sendCommand;
    const decisions = node.api.app.get(DecisionService);
    const decideOnce = decisions.decide.bind(decisions);
    decisions.decide = (...args: Parameters<typeof decideOnce>) => {
      const tally: Tally = { postgres: 0, redis: 0 };
      tallies.push(tally);
      return context.run(tally, () => decideOnce(...args));
    };
  }, 120_000);
  afterAll(async () => {
    await node?.close();
    await prod?.drop();
  });

  const tallies: Tally[] = [];
  const count = (what: keyof Tally) => {
    const tally = context.getStore();
    if (tally) tally[what] += 1;
  };
  const decide = (userId: string) => http(node.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'hot', userId, platform: 'ios', count: 2, explain: true } });

  it('makes no PostgreSQL query and one Redis command per decision, first-time and returning listeners alike', async () => {
    const served: number[] = [];
    for (let i = 0; i < 40; i++) served.push((await decide(`listener-${i % 20}`)).body.ads.length);
    expect(served.every((n) => n === 2)).toBe(true);
    expect(tallies).toHaveLength(40);
    expect(tallies.map((t) => t.postgres)).toEqual(Array(40).fill(0));
    expect(tallies.map((t) => t.redis)).toEqual(Array(40).fill(1));
  });
});
