import { randomUUID } from 'node:crypto';
import type { RunningWorker } from '../../../src/bootstrap';
import { DecisionLog } from '../../../src/modules/delivery/decision-log';
import { encodeDecisionLogLines } from '../../../src/modules/delivery/decision-log-copy';
import { MetricsService } from '../../../src/platform/metrics/metrics.service';
import { eventually } from '../../support/job-driver.contract';
import { startOwnRedis, type OwnRedis } from '../../support/own-redis';
import { startRedisCluster, type OwnRedisCluster } from '../../support/redis-cluster';
import { expectOk } from '../../support/seed-ads';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';

async function setUpCappedSlot(url: string, admin: string, capPerDay: number, goal: Record<string, unknown> | null = null): Promise<string> {
  await expectOk(http(url, 'POST', '/v1/slots', { key: admin, body: { key: 'cap-feed', name: 'Cap feed', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 1 } }));
  const campaign = await expectOk(
    http(url, 'POST', '/v1/campaigns', {
      key: admin,
      body: { name: 'Capped', category: 'partner', priority: 10, platforms: ['ios'], slots: ['cap-feed'], schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' }, frequencyCaps: [{ impressions: capPerDay, window: 'day' }], goal },
    }),
  );
  await expectOk(http(url, 'POST', `/v1/campaigns/${campaign.id}/creatives`, { key: admin, body: { type: 'text', formats: ['feed'], title: 'c', landingUrl: 'https://x.example.com' } }));
  await expectOk(http(url, 'POST', `/v1/campaigns/${campaign.id}/status`, { key: admin, headers: { 'if-match': '"1"' }, body: { status: 'active' } }));
  await expectOk(http(url, 'PUT', '/v1/slots/cap-feed/policy', { key: admin, body: { branches: [{ name: 'all', audience: 'everyone', campaignIds: [campaign.id], method: 'priority' }] } }));
  return campaign.id;
}

/** Two API nodes of `prod`, a slot-client key, and the capped slot, warmed until both nodes serve it (one impression each). */
async function startTwoNodes(prod: ProductionTestEnv, capPerDay: number, goal: Record<string, unknown> | null = null): Promise<{ nodeA: TestApp; nodeB: TestApp; client: string }> {
  const nodeA = await startProductionApp(prod, 'api');
  const nodeB = await startProductionApp(prod, 'api');
  const client = (await expectOk(http(nodeA.url, 'POST', '/v1/api-keys', { key: prod.adminKey, body: { name: 'app', role: 'slot-client' } }))).key as string;
  await setUpCappedSlot(nodeA.url, prod.adminKey, capPerDay, goal);
  for (const node of [nodeA, nodeB]) {
    await eventually(async () => ((await http(node.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: `warm-${node.url}`, platform: 'ios' } })).body.ads?.length === 1 ? true : null));
  }
  return { nodeA, nodeB, client };
}

/** 200 concurrent decision requests spread over the two nodes; `userOf(i)` is the i-th request's listener. */
function twoHundredDecisions(nodeA: TestApp, nodeB: TestApp, client: string, userOf: (i: number) => string) {
  return Promise.all(Array.from({ length: 200 }, (_, i) => http(i % 2 ? nodeA.url : nodeB.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: userOf(i), platform: 'ios' } })));
}

describe('decisions in production mode (Redis counters, two API nodes)', () => {
  let prod: ProductionTestEnv;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let worker: RunningWorker;
  let client: string;

  beforeAll(async () => {
    prod = await createProductionEnv({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    ({ nodeA, nodeB, client } = await startTwoNodes(prod, 9));
    worker = await startProductionWorker(prod);
  }, 120_000);
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await worker?.close();
    await prod?.drop();
  });

  it('serves exactly N under 200 concurrent requests for one listener spread over two nodes', async () => {
    const results = await twoHundredDecisions(nodeA, nodeB, client, () => 'one-listener');
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.ads.length === 1)).toHaveLength(9);
  });

  it('writes the decision log through BullMQ and the worker with COPY, every field as served', async () => {
    // Tabs, newlines and backslashes are COPY's own syntax: the row must come back exactly as sent.
    const userId = 'tab\there\nnew line \\N back\\slash';
    const context = { note: 'a\tb\\c"d\r', hour: 7, wifi: true };
    const served = await http(nodeB.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId, platform: 'ios', appVersion: '9.1', context } });
    expect(served.status).toBe(200);
    const ad = served.body.ads[0];
    const { Client } = await import('pg');
    const db = new Client({ connectionString: prod.env.DATABASE_URL });
    await db.connect();
    try {
      const row = await eventually(async () => (await db.query('SELECT * FROM decisions WHERE decision_id = $1', [ad.decisionId])).rows[0] ?? null);
      expect(row).toMatchObject({
        user_id: userId, campaign_id: ad.campaignId, creative_id: ad.creative.id, branch: ad.branch, method: ad.method, arm: null, fallback: null,
        propensity: ad.probability, score: null, position: 0, explored: ad.explored, context: { ...context, appVersion: '9.1' }, features: { user: null, context },
      });
    } finally {
      await db.end();
    }
  });

  it('stores each row of a logged batch once: a refused row is dropped and counted, a retried batch adds nothing', async () => {
    const log = worker.context.get(DecisionLog);
    const batches = async () => {
      const counts: Record<string, number> = {};
      for (const v of (await worker.context.get(MetricsService).registry.getSingleMetric('musicboss_decision_log_batches_total')!.get()).values) counts[String(v.labels.path)] = v.value;
      return counts;
    };
    const before = await batches();
    const row = (userId: string, context: Record<string, unknown>) => ({
      decisionId: randomUUID(), createdAtMs: Date.now(), userId, slotId: randomUUID(), platform: 'ios', campaignId: randomUUID(), creativeId: randomUUID(),
      branch: 'b', method: 'priority', arm: null, armProbability: null, fallback: null, propensity: 0.5, score: null, position: 0, explored: false,
      configVersion: 1, modelVersion: null, context, features: null,
    });
    const good = [row('copy-batch', { a: 1 }), row('copy-batch', { b: 'x\ty' })];
    // jsonb refuses a NUL escape: COPY refuses the whole batch, the rows are written again one by one.
    const poisoned = row('copy-batch', { genre: 'pop\u0000' });
    const copy = encodeDecisionLogLines([good[0], poisoned, good[1]]);
    await log.write({ copy });
    const { Client } = await import('pg');
    const db = new Client({ connectionString: prod.env.DATABASE_URL });
    await db.connect();
    try {
      const stored = async () => (await db.query("SELECT decision_id, context FROM decisions WHERE user_id = 'copy-batch' ORDER BY decision_id")).rows;
      const expected = good.map((r) => ({ decision_id: r.decisionId, context: r.context })).sort((x, y) => x.decision_id.localeCompare(y.decision_id));
      expect(await stored()).toEqual(expected);
      // A job retried after its COPY committed: COPY refuses the duplicate keys, ON CONFLICT skips them.
      const clean = encodeDecisionLogLines(good);
      await log.write({ copy: clean });
      expect(await stored()).toEqual(expected);
      // The poisoned batch ended row by row, the retried one with ON CONFLICT (only these two writes
      // can take those paths here; other batches of this suite may be landing by COPY meanwhile).
      const after = await batches();
      expect([(after.rows ?? 0) - (before.rows ?? 0), (after.insert ?? 0) - (before.insert ?? 0)]).toEqual([1, 1]);
      // A clean batch is stored without either fallback: by COPY.
      const fresh = row('copy-batch', { c: 3 });
      await log.write({ copy: encodeDecisionLogLines([fresh]) });
      expect((await db.query('SELECT 1 FROM decisions WHERE decision_id = $1', [fresh.decisionId])).rowCount).toBe(1);
      const last = await batches();
      expect([last.rows, last.insert]).toEqual([after.rows, after.insert]);
      expect(last.copy).toBeGreaterThanOrEqual(1);
      const metrics = await worker.context.get(MetricsService).registry.getSingleMetricAsString('musicboss_decision_log_dropped_rows_total');
      expect(metrics).toMatch(/musicboss_decision_log_dropped_rows_total 1\b/);
    } finally {
      await db.end();
    }
  });
});

const OUTAGE_BUFFER_BYTES = 8 * 1024;

function metricValue(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('decisions with the counters on a Redis Cluster (two API nodes)', () => {
  let own: OwnRedisCluster;
  let prod: ProductionTestEnv;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let client: string;
  const GOAL = 40;

  beforeAll(async () => {
    own = await startRedisCluster();
    prod = await createProductionEnv({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000', MUSICBOSS_COUNTERS_CLUSTER: own.nodes.map((n) => `redis://${n.host}:${n.port}`).join(',') });
    // The goal's counter is tagged by campaign, the caps by listener: every decision spans two slots.
    ({ nodeA, nodeB, client } = await startTwoNodes(prod, 9, { metric: 'impressions', daily: GOAL, total: null, pacing: 'asap' }));
  }, 120_000);
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await own?.stop();
    await prod?.drop();
  });

  it('serves one listener exactly its cap, and all listeners exactly the goal, under 200 concurrent requests each; health names the cluster', async () => {
    const health = await http(nodeA.url, 'GET', '/health/ready');
    expect(health.body.components.counters).toMatchObject({ status: 'up', detail: 'redis cluster' });
    const one = await twoHundredDecisions(nodeA, nodeB, client, () => 'one-listener');
    expect(one.every((r) => r.status === 200)).toBe(true);
    expect(one.filter((r) => r.body.ads.length === 1)).toHaveLength(9);
    const many = await twoHundredDecisions(nodeA, nodeB, client, (i) => `listener-${i}`);
    expect(many.every((r) => r.status === 200)).toBe(true);
    // Two warm-up impressions and the one listener's nine came first.
    expect(many.filter((r) => r.body.ads.length === 1)).toHaveLength(GOAL - 2 - 9);
    expect((await http(nodeB.url, 'GET', '/health/ready')).body.components.counters.status).toBe('up');
  });
});

describe('decisions while Redis is stopped mid-run', () => {
  let redis: OwnRedis;
  let prod: ProductionTestEnv;
  let app: TestApp;
  let client: string;

  beforeAll(async () => {
    redis = await startOwnRedis();
    // A decision-log buffer of a few kilobytes: the outage below overflows it.
    prod = await createProductionEnv({ REDIS_URL: redis.url, MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000', MUSICBOSS_DECISION_LOG_BUFFER_BYTES: String(OUTAGE_BUFFER_BYTES) });
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

  it('keeps deciding with local counters, says degraded, and recovers; the decision log keeps the newest rows it can hold and writes them once Redis is back', async () => {
    const before = await http(app.url, 'GET', '/health/ready');
    expect(before.body.status).toBe('ok');
    const log = app.api.app.get(DecisionLog);
    await eventually(async () => (log.pendingRows === 0 ? true : null));
    const overflowBefore = metricValue((await http(app.url, 'GET', '/metrics')).text, 'musicboss_decision_log_overflow_rows_total');
    await redis.stop();
    const statuses: number[] = [];
    const decisionIds: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await http(app.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: `outage-${i % 5}`, platform: 'ios' } });
      statuses.push(r.status);
      if (r.status === 200) {
        expect(r.body.ads).toHaveLength(1);
        decisionIds.push(r.body.ads[0].decisionId);
      }
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const overflow = metricValue((await http(app.url, 'GET', '/metrics')).text, 'musicboss_decision_log_overflow_rows_total') - overflowBefore;
    expect(overflow).toBeGreaterThan(0);
    expect(overflow).toBeLessThan(50);
    expect(log.pendingRows).toBe(50 - overflow);
    const degraded = await http(app.url, 'GET', '/health/ready');
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.components.counters.status).toBe('degraded');
    expect((await http(app.url, 'GET', '/metrics')).text).toMatch(/musicboss_counters_degraded 1/);

    await redis.start();
    // The rows the buffer kept are the newest, each stored once; the dropped ones are the oldest.
    await eventually(async () => (log.pendingRows === 0 ? true : null), 20_000);
    const stored = await eventually(async () => {
      const rows: { decision_id: string }[] = await app.api.infra.database.dataSource.query("SELECT decision_id FROM decisions WHERE user_id LIKE 'outage-%'");
      return rows.length === 50 - overflow ? rows.map((r) => r.decision_id) : null;
    }, 20_000);
    expect(new Set(stored)).toEqual(new Set(decisionIds.slice(overflow)));
    await eventually(async () => {
      await http(app.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'cap-feed', userId: 'back', platform: 'ios' } });
      return (await http(app.url, 'GET', '/health/ready')).body.components.counters.status === 'up' ? true : null;
    }, 20_000);
  });
});
