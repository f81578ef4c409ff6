import { Client } from 'pg';
import type { RunningWorker } from '../../../src/bootstrap';
import { eventually } from '../../support/job-driver.contract';
import { scrapeMetric } from '../../support/metrics';
import { startOwnRedis, type OwnRedis } from '../../support/own-redis';
import { expectOk } from '../../support/seed-ads';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';
import { EventLoad, expectStoredExactlyOnce, LinkLoad, makeEvents, type LoadEvent } from './event-load';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A metric's value from an API node's /metrics, 0 when it has no sample yet. */
const metric = async (url: string, name: string, labels = '') => (await scrapeMetric(url, name, labels)) ?? 0;

/**
 * Tracking links and POST /v1/events while the queue's Redis hangs or is gone, in production mode
 * with a private redis-server (AOF fsync always): every link answers, batches are made durable on
 * the node's disk spool, and once Redis answers again every accepted event is stored exactly once.
 */
describe('tracking and intake survive Redis (production mode, under load)', () => {
  let redis: OwnRedis;
  let prod: ProductionTestEnv;
  let api: TestApp;
  let worker: RunningWorker;
  let client: string;
  let db: Client;
  let events: LoadEvent[] = [];
  let offset = 0;
  const expected = new Set<string>();

  const take = (n: number) => {
    const slice = events.slice(offset, offset + n);
    offset += n;
    return slice;
  };

  /** Batches and links under load around `disrupt`; returns both loads once every batch was accepted and every link fired. */
  async function underLoad(disrupt: () => Promise<void>): Promise<{ batches: EventLoad; links: LinkLoad }> {
    const batches = new EventLoad(api.url, client, take(12_000), { batchSize: 100, concurrency: 2, pauseMs: 100 });
    const links = new LinkLoad(api.url, take(1_500), { concurrency: 4, pauseMs: 10 });
    batches.start();
    links.start();
    await sleep(1000);
    await disrupt();
    await Promise.all([batches.finish(), links.finish()]);
    for (const key of batches.accepted) expected.add(key);
    for (const key of links.answered) expected.add(key);
    return { batches, links };
  }

  beforeAll(async () => {
    redis = await startOwnRedis({ durable: true });
    prod = await createProductionEnv({ REDIS_URL: redis.url, MUSICBOSS_RATE_LIMIT_PER_MINUTE: '1000000' });
    api = await startProductionApp(prod, 'api');
    worker = await startProductionWorker(prod);
    const admin = prod.adminKey;
    client = (await expectOk(http(api.url, 'POST', '/v1/api-keys', { key: admin, body: { name: 'app', role: 'slot-client' } }))).key;
    const slot = await expectOk(http(api.url, 'POST', '/v1/slots', { key: admin, body: { key: 'feed', name: 'Feed', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 1 } }));
    const campaign = await expectOk(
      http(api.url, 'POST', '/v1/campaigns', {
        key: admin,
        body: { name: 'Links', category: 'partner', priority: 10, platforms: ['ios'], slots: ['feed'], schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' } },
      }),
    );
    const creative = await expectOk(
      http(api.url, 'POST', `/v1/campaigns/${campaign.id}/creatives`, { key: admin, body: { type: 'image', formats: ['feed'], title: 'ad', landingUrl: 'https://music.example.com/landing' } }),
    );
    await expectOk(http(api.url, 'POST', `/v1/campaigns/${campaign.id}/status`, { key: admin, body: { status: 'active' }, headers: { 'if-match': `"${campaign.version}"` } }));
    events = makeEvents(60_000, prod.env.MUSICBOSS_TRACKING_SECRET, { c: campaign.id, cr: creative.id, s: slot.id, b: 'all', a: null, p: 1, pf: 'ios' });
    // A click link needs the campaign in the node's snapshot for its landing page.
    const probe = events.find((e) => e.type === 'click')!;
    await eventually(async () => ((await http(api.url, 'GET', `/v1/t/click?t=${probe.token}`)).status === 302 ? true : null), 30_000);
    expected.add(probe.key);
    db = new Client({ connectionString: prod.env.DATABASE_URL });
    await db.connect();
  }, 180_000);

  afterAll(async () => {
    await db?.end();
    await api?.close();
    await worker?.close();
    await redis?.stop();
    await prod?.drop();
  });

  it('Redis hung (SIGSTOP) under load: every link answers, readiness says the intake is spooling, and after SIGCONT every accepted event is stored once', async () => {
    const { batches, links } = await underLoad(async () => {
      redis.pause();
      try {
        const ready = await eventually(async () => {
          const r = await http(api.url, 'GET', '/health/ready');
          return r.body.components?.intake?.status === 'degraded' ? r : null;
        }, 30_000);
        expect(ready.status).toBe(200);
        expect(ready.body.components.intake.detail).toMatch(/spooled to disk/);
        await sleep(3000);
      } finally {
        redis.resume();
      }
    });
    expect({ serverErrors: links.serverErrors, unexpected: links.unexpected, failures: links.failures }).toEqual({ serverErrors: 0, unexpected: 0, failures: 0 });
    expect(batches.failedBatches).toBe(0);
    expect(batches.spooledBatches).toBeGreaterThan(0);
    await expectStoredExactlyOnce(db, expected);
    expect(await metric(api.url, 'musicboss_events_dropped_total')).toBe(0);
  });

  it('Redis stopped and started again under load: links answer, batches are spooled, the producer comes back and forwards the spool; every accepted event stored once', async () => {
    const { batches, links } = await underLoad(async () => {
      await redis.stop();
      await sleep(3000);
      await redis.start();
    });
    expect({ serverErrors: links.serverErrors, unexpected: links.unexpected, failures: links.failures }).toEqual({ serverErrors: 0, unexpected: 0, failures: 0 });
    expect(batches.failedBatches).toBe(0);
    expect(batches.spooledBatches).toBeGreaterThan(0);
    await expectStoredExactlyOnce(db, expected);
    // back to the queue: the spool is empty and new batches are queued directly
    await eventually(async () => ((await metric(api.url, 'musicboss_spool_bytes')) === 0 ? true : null), 30_000);
    const fresh = take(5);
    const answer = await eventually(async () => {
      const r = await http(api.url, 'POST', '/v1/events', { key: client, body: { events: fresh.map(({ type, token }) => ({ type, token })) } });
      return r.body.durableIn === 'queue' ? r : null;
    }, 30_000);
    expect(answer.status).toBe(202);
    for (const e of fresh) expected.add(e.key);
    expect((await http(api.url, 'GET', '/health/ready')).body.components.intake.status).toBe('up');
    await expectStoredExactlyOnce(db, expected);
    expect(await metric(api.url, 'musicboss_spool_jobs_total', 'outcome="forwarded"')).toBeGreaterThan(0);
  });

  it('past the spool bound: batches get 503 (nothing accepted), links still answer and the events they lose are counted; what was accepted is stored once', async () => {
    const small = await startProductionApp({ ...prod, config: { ...prod.config, spoolDir: `${prod.config.spoolDir}-small`, spoolMaxBytes: 64 * 1024 } }, 'api');
    try {
      await eventually(async () => ((await http(small.url, 'GET', `/v1/t/click?t=${events.find((e) => e.type === 'click')!.token}`)).status === 302 ? true : null), 30_000);
      await redis.stop();
      let refused = 0;
      for (let i = 0; i < 20; i++) {
        const batch = take(10);
        const r = await http(small.url, 'POST', '/v1/events', { key: client, body: { events: batch.map(({ type, token }) => ({ type, token })) } });
        if (r.status === 202) {
          expect(r.body.durableIn).toBe('spool');
          for (const e of batch) expected.add(e.key);
        } else {
          expect(r.status).toBe(503);
          expect(r.body.message).toMatch(/spool full/);
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(0);
      const linkEvents = take(40);
      const links = new LinkLoad(small.url, linkEvents, { concurrency: 2, pauseMs: 0 });
      links.start();
      await links.finish();
      // A link answers whatever happens; the events the full spool could not take are counted.
      expect({ answered: links.answered.size, serverErrors: links.serverErrors, failures: links.failures }).toEqual({ answered: 40, serverErrors: 0, failures: 0 });
      const dropped = await metric(small.url, 'musicboss_events_dropped_total');
      expect(dropped).toBeGreaterThan(0);
      const ready = await http(small.url, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.components.intake).toMatchObject({ status: 'down', detail: expect.stringMatching(/spool full/) });
      await redis.start();
      // Stored once: every accepted batch event, and the link events that were spooled before the bound (40 − dropped).
      const linkKeys = new Set(linkEvents.map((e) => e.key));
      await eventually(async () => ((await db.query('SELECT count(*)::int AS n FROM events')).rows[0].n >= expected.size + 40 - dropped ? true : null), 120_000, 250);
      const stored = (await db.query(`SELECT decision_id::text || '|' || type AS k FROM events`)).rows.map((r) => r.k as string);
      expect(new Set(stored).size).toBe(stored.length);
      const storedSet = new Set(stored);
      expect([...expected].filter((k) => !storedSet.has(k))).toEqual([]);
      const fromLinks = stored.filter((k) => !expected.has(k));
      expect(fromLinks.every((k) => linkKeys.has(k))).toBe(true);
      expect(fromLinks.length).toBe(40 - dropped);
    } finally {
      await small.close();
    }
  });
});
