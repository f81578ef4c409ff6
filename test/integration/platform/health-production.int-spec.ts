import { Client } from 'pg';
import type { RunningWorker } from '../../../src/bootstrap';
import { signTrackingTokens } from '../../../src/engine/tracking/tracking-token';
import { eventually } from '../../support/job-driver.contract';
import { scrapeMetric } from '../../support/metrics';
import { expectOk } from '../../support/seed-ads';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STALL_MS = 2000;

const metric = scrapeMetric;

/**
 * Readiness a load balancer can act on, in production mode: PostgreSQL reached through a TCP proxy
 * the test cuts (never the machine's shared server), and workers started and stopped.
 */
describe('health in production mode', () => {
  let prod: ProductionTestEnv;
  let proxy: TcpProxy;
  let api: TestApp;
  let worker: RunningWorker | null = null;
  let client: string;
  let campaignId: string;
  let creativeId: string;
  let slotId: string;
  let db: Client;

  const decide = (userId: string) => http(api.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'feed', userId, platform: 'ios' } });
  const tokensFor = (decisionId: string) =>
    signTrackingTokens({ d: decisionId, c: campaignId, cr: creativeId, s: slotId, b: 'all', a: null, p: 1, u: 'u1', pf: 'ios', i: Date.now(), e: Date.now() + 3_600_000 }, prod.env.MUSICBOSS_TRACKING_SECRET);

  beforeAll(async () => {
    const direct = await createProductionEnv({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000', MUSICBOSS_QUEUE_STALL_MS: String(STALL_MS) });
    const target = new URL(direct.env.DATABASE_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const databaseUrl = proxy.url(direct.env.DATABASE_URL);
    prod = { ...direct, env: { ...direct.env, DATABASE_URL: databaseUrl }, config: { ...direct.config, databaseUrl } };
    api = await startProductionApp(prod, 'api');
    const admin = prod.adminKey;
    client = (await expectOk(http(api.url, 'POST', '/v1/api-keys', { key: admin, body: { name: 'app', role: 'slot-client' } }))).key;
    slotId = (await expectOk(http(api.url, 'POST', '/v1/slots', { key: admin, body: { key: 'feed', name: 'Feed', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 1 } }))).id;
    const campaign = await expectOk(
      http(api.url, 'POST', '/v1/campaigns', {
        key: admin,
        body: { name: 'Always', category: 'partner', priority: 10, platforms: ['ios'], slots: ['feed'], schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' } },
      }),
    );
    campaignId = campaign.id;
    creativeId = (await expectOk(http(api.url, 'POST', `/v1/campaigns/${campaignId}/creatives`, { key: admin, body: { type: 'text', formats: ['feed'], title: 'c', landingUrl: 'https://x.example.com/landing' } }))).id;
    await expectOk(http(api.url, 'POST', `/v1/campaigns/${campaignId}/status`, { key: admin, headers: { 'if-match': `"${campaign.version}"` }, body: { status: 'active' } }));
    await expectOk(http(api.url, 'PUT', '/v1/slots/feed/policy', { key: admin, body: { branches: [{ name: 'all', audience: 'everyone', campaignIds: [campaignId], method: 'priority' }] } }));
    await eventually(async () => ((await decide('warm')).body.ads?.length === 1 ? true : null), 30_000);
    db = new Client({ connectionString: direct.env.DATABASE_URL });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    proxy?.restore();
    await db?.end();
    await api?.close();
    await worker?.close();
    await proxy?.close();
    await prod?.drop();
  });

  it('no worker running: readiness is degraded (200) and names every queue; /metrics shows them stalled; a worker makes it ok', async () => {
    const ready = await http(api.url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.components.queues.status).toBe('degraded');
    for (const queue of ['system', 'decisions', 'feedback', 'learning', 'modeling']) expect(ready.body.components.queues.detail).toContain(`no worker has consumed queue ${queue}`);
    expect(await metric(api.url, 'musicboss_queue_stalled', 'queue="feedback"')).toBe(1);
    expect(await metric(api.url, 'musicboss_queue_consumed_seconds_ago', 'queue="feedback"')).toBe(-1);

    worker = await startProductionWorker(prod);
    const ok = await eventually(async () => {
      const r = await http(api.url, 'GET', '/health/ready');
      return r.body.status === 'ok' ? r : null;
    }, 30_000);
    expect(ok.body.components.queues.status).toBe('up');
    // /metrics reads the queues once per scrape (reused for 200 ms), so it may lag readiness by that much.
    await eventually(async () => ((await metric(api.url, 'musicboss_queue_stalled', 'queue="feedback"')) === 0 ? true : null));
  });

  it('the worker stops: past the stall limit readiness says so, with the waiting jobs and their age (lag and depth also in /metrics)', async () => {
    await worker!.close();
    worker = null;
    const [impression] = [tokensFor('00000000-0000-4000-8000-000000000001').impression];
    expect((await http(api.url, 'POST', '/v1/events', { key: client, body: { events: [{ type: 'impression', token: impression }] } })).status).toBe(202);
    const ready = await eventually(async () => {
      const r = await http(api.url, 'GET', '/health/ready');
      return /queue feedback: 1 waiting, the oldest for/.test(r.body.components?.queues?.detail ?? '') ? r : null;
    }, 30_000);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.components.queues.detail).toMatch(/no worker has consumed queue feedback for \d/);
    expect(await metric(api.url, 'musicboss_queue_oldest_waiting_seconds', 'queue="feedback"')).toBeGreaterThan(STALL_MS / 1000);
    expect(await metric(api.url, 'musicboss_queue_jobs', 'queue="feedback",state="waiting"')).toBe(1);
    expect(await metric(api.url, 'musicboss_queue_stalled', 'queue="feedback"')).toBe(1);
    worker = await startProductionWorker(prod);
    await eventually(async () => ((await db.query(`SELECT count(*)::int AS n FROM events WHERE decision_id = '00000000-0000-4000-8000-000000000001'`)).rows[0].n === 1 ? true : null), 30_000);
    await eventually(async () => ((await http(api.url, 'GET', '/health/ready')).body.status === 'ok' ? true : null), 30_000);
  });

  it.each<['refuse' | 'blackhole']>([['refuse'], ['blackhole']])(
    'PostgreSQL down (%s): readiness is degraded (200), decisions, links and batches keep working, and the events are stored once it is back',
    async (mode) => {
      const decisionIds = [1, 2, 3].map((n) => `00000000-0000-4000-8000-0000000${mode === 'refuse' ? '1' : '2'}000${n}`);
      proxy.cut(mode);
      try {
        const ready = await eventually(async () => {
          const r = await http(api.url, 'GET', '/health/ready');
          return r.body.components?.database?.status === 'down' ? r : null;
        }, 30_000);
        expect(ready.status).toBe(200);
        expect(ready.body.status).toBe('degraded');
        for (let i = 0; i < 5; i++) {
          const decision = await decide(`pg-down-${mode}-${i}`);
          expect(decision.status).toBe(200);
          expect(decision.body.ads).toHaveLength(1);
        }
        const [first, second, third] = decisionIds.map(tokensFor);
        expect((await http(api.url, 'GET', `/v1/t/impression?t=${first.impression}`)).status).toBe(200);
        const click = await http(api.url, 'GET', `/v1/t/click?t=${first.click}`);
        expect(click.status).toBe(302);
        expect(click.headers.get('location')).toBe('https://x.example.com/landing');
        const batch = await http(api.url, 'POST', '/v1/events', { key: client, body: { events: [{ type: 'impression', token: second.impression }, { type: 'skip', token: third.skip }] } });
        expect(batch.status).toBe(202);
        expect(batch.body).toMatchObject({ accepted: 2, durableIn: 'queue' });
        await sleep(1000);
        expect((await http(api.url, 'GET', '/health/ready')).status).toBe(200);
      } finally {
        proxy.restore();
      }
      await eventually(
        async () => ((await db.query('SELECT count(*)::int AS n FROM events WHERE decision_id = ANY($1::uuid[])', [decisionIds])).rows[0].n === 4 ? true : null),
        90_000,
        250,
      );
      await eventually(async () => ((await http(api.url, 'GET', '/health/ready')).body.components.database.status === 'up' ? true : null), 30_000);
    },
  );
});
