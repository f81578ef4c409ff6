import type { RunningWorker } from '../../../src/bootstrap';
import { eventually } from '../../support/job-driver.contract';
import { startOwnRedis, type OwnRedis } from '../../support/own-redis';
import { expectOk } from '../../support/seed-ads';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';

async function setUpCappedSlot(url: string, admin: string, capPerDay: number): Promise<string> {
  await expectOk(http(url, 'POST', '/v1/slots', { key: admin, body: { key: 'cap-feed', name: 'Cap feed', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 1 } }));
  const campaign = await expectOk(
    http(url, 'POST', '/v1/campaigns', {
      key: admin,
      body: { name: 'Capped', category: 'partner', priority: 10, platforms: ['ios'], slots: ['cap-feed'], schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' }, frequencyCaps: [{ impressions: capPerDay, window: 'day' }] },
    }),
  );
  await expectOk(http(url, 'POST', `/v1/campaigns/${campaign.id}/creatives`, { key: admin, body: { type: 'text', formats: ['feed'], title: 'c', landingUrl: 'https://x.example.com' } }));
  await expectOk(http(url, 'POST', `/v1/campaigns/${campaign.id}/status`, { key: admin, headers: { 'if-match': '"1"' }, body: { status: 'active' } }));
  await expectOk(http(url, 'PUT', '/v1/slots/cap-feed/policy', { key: admin, body: { branches: [{ name: 'all', audience: 'everyone', campaignIds: [campaign.id], method: 'priority' }] } }));
  return campaign.id;
}

describe('decisions in production mode (Redis counters, two API nodes)', () => {
  let prod: ProductionTestEnv;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let worker: RunningWorker;
  let client: string;

  beforeAll(async () => {
    prod = await createProductionEnv({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    nodeA = await startProductionApp(prod, 'api');
    nodeB = await startProductionApp(prod, 'api');
    worker = await startProductionWorker(prod);
    client = (await expectOk(http(nodeA.url, 'POST', '/v1/api-keys', { key: prod.adminKey, body: { name: 'app', role: 'slot-client' } }))).key;
    await setUpCappedSlot(nodeA.url, prod.adminKey, 9);
    for (const node of [nodeA, nodeB]) {
      await eventually(async () => ((await http(node.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: `warm-${node.url}`, platform: 'ios' } })).body.ads?.length === 1 ? true : null));
    }
  }, 120_000);
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await worker?.close();
    await prod?.drop();
  });

  it('serves exactly N under 200 concurrent requests for one listener spread over two nodes', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => http(i % 2 ? nodeA.url : nodeB.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: 'one-listener', platform: 'ios' } })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.ads.length === 1)).toHaveLength(9);
  });

  it('writes the decision log through BullMQ and the worker', async () => {
    const served = await http(nodeB.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: 'logged', platform: 'ios' } });
    const id = served.body.ads[0].decisionId;
    const { Client } = await import('pg');
    const db = new Client({ connectionString: prod.env.DATABASE_URL });
    await db.connect();
    try {
      await eventually(async () => ((await db.query('SELECT 1 FROM decisions WHERE decision_id = $1', [id])).rowCount === 1 ? true : null));
    } finally {
      await db.end();
    }
  });
});

describe('decisions while Redis is stopped mid-run', () => {
  let redis: OwnRedis;
  let prod: ProductionTestEnv;
  let app: TestApp;
  let client: string;

  beforeAll(async () => {
    redis = await startOwnRedis();
    prod = await createProductionEnv({ REDIS_URL: redis.url, MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    app = await startProductionApp(prod, 'all');
    client = (await expectOk(http(app.url, 'POST', '/v1/api-keys', { key: prod.adminKey, body: { name: 'app', role: 'slot-client' } }))).key;
    await setUpCappedSlot(app.url, prod.adminKey, 1000);
    await eventually(async () => ((await http(app.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: 'warm', platform: 'ios' } })).body.ads?.length === 1 ? true : null));
  }, 120_000);
  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await redis?.stop();
    await prod?.drop();
  });

  it('keeps deciding with local counters, says degraded, and recovers', async () => {
    const before = await http(app.url, 'GET', '/health/ready');
    expect(before.body.status).toBe('ok');
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await http(app.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: `u-${i % 5}`, platform: 'ios' } });
      statuses.push(r.status);
      if (r.status === 200) expect(r.body.ads).toHaveLength(1);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const degraded = await http(app.url, 'GET', '/health/ready');
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.components.counters.status).toBe('degraded');
    expect((await http(app.url, 'GET', '/metrics')).text).toMatch(/musicboss_counters_degraded 1/);

    await redis.start();
    await eventually(async () => {
      await http(app.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: 'back', platform: 'ios' } });
      return (await http(app.url, 'GET', '/health/ready')).body.components.counters.status === 'up' ? true : null;
    }, 20_000);
  });
});
