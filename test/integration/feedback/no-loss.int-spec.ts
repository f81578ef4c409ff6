import { Client } from 'pg';
import type { RunningWorker } from '../../../src/bootstrap';
import { expectOk } from '../../support/seed-ads';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';
import { startOwnRedis, type OwnRedis } from '../../support/own-redis';
import { EventLoad, expectStoredExactlyOnce, makeEvents } from './event-load';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('feedback loses nothing and counts nothing twice (production mode, under load)', () => {
  let redis: OwnRedis;
  let prod: ProductionTestEnv;
  let api: TestApp;
  let worker: RunningWorker | null = null;
  let client: string;
  let db: Client;
  let campaignId: string;
  let slotId: string;
  let offset = 0;
  const allEvents = makeEventsLazy();

  function makeEventsLazy() {
    let cache: ReturnType<typeof makeEvents> | null = null;
    return () => (cache ??= makeEvents(80_000, prod.env.MUSICBOSS_TRACKING_SECRET, { c: campaignId, cr: 'creative', s: slotId, b: 'all', a: null, p: 1, pf: 'ios' }));
  }

  /** Runs load for a while around `disrupt`, then checks the events table and the counters against everything accepted. */
  async function underLoad(n: number, disrupt: () => Promise<void>): Promise<EventLoad> {
    const events = allEvents().slice(offset, offset + n);
    offset += n;
    const load = new EventLoad(api.url, client, events, { batchSize: 100, concurrency: 3, pauseMs: 100 });
    load.start();
    await sleep(1500);
    await disrupt();
    await load.finish();
    expect(load.accepted.size).toBe(events.length);
    return load;
  }

  const expectExactlyOnce = (expected: ReadonlySet<string>) => expectStoredExactlyOnce(db, expected);

  const expected = new Set<string>();

  beforeAll(async () => {
    redis = await startOwnRedis({ durable: true });
    prod = await createProductionEnv({ REDIS_URL: redis.url, MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    api = await startProductionApp(prod, 'api');
    worker = await startProductionWorker(prod);
    const admin = prod.adminKey;
    client = (await expectOk(http(api.url, 'POST', '/v1/api-keys', { key: admin, body: { name: 'app', role: 'slot-client' } }))).key;
    const slot = await expectOk(http(api.url, 'POST', '/v1/slots', { key: admin, body: { key: 'feed', name: 'Feed', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 1 } }));
    slotId = slot.id;
    const campaign = await expectOk(
      http(api.url, 'POST', '/v1/campaigns', {
        key: admin,
        body: { name: 'Load', category: 'partner', priority: 10, platforms: ['ios'], slots: ['feed'], schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' } },
      }),
    );
    campaignId = campaign.id;
    db = new Client({ connectionString: prod.env.DATABASE_URL });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await api?.close();
    await worker?.close();
    await redis?.stop();
    await prod?.drop();
  });

  it('the worker is stopped and restarted', async () => {
    const load = await underLoad(20_000, async () => {
      await worker!.close();
      worker = null;
      await sleep(2500);
      worker = await startProductionWorker(prod);
    });
    for (const k of load.accepted) expected.add(k);
    expect(load.replays).toBeGreaterThan(0);
    await expectExactlyOnce(expected);
  });

  it('Redis is killed and restarted (AOF fsync always)', async () => {
    const load = await underLoad(20_000, async () => {
      await redis.stop();
      await sleep(2500);
      await redis.start();
    });
    for (const k of load.accepted) expected.add(k);
    // The queue refused them: this node wrote them to its disk spool and forwarded them later.
    expect(load.spooledBatches).toBeGreaterThan(0);
    await expectExactlyOnce(expected);
  });

  it('PostgreSQL refuses writes for a while', async () => {
    await db.query(`CREATE FUNCTION refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'writes refused by the test' USING ERRCODE = '25006'; END $$`);
    const load = await underLoad(20_000, async () => {
      for (const table of ['events', 'stats_minute', 'pending_labels']) {
        await db.query(`CREATE TRIGGER refuse_${table} BEFORE INSERT OR UPDATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION refuse_writes()`);
      }
      // transactions that began before the triggers may still commit; after that, nothing gets through
      await sleep(1000);
      const count = async () => (await db.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
      const during = await count();
      await sleep(4000);
      expect(await count()).toBe(during);
      for (const table of ['events', 'stats_minute', 'pending_labels']) await db.query(`DROP TRIGGER refuse_${table} ON ${table}`);
    });
    for (const k of load.accepted) expected.add(k);
    await expectExactlyOnce(expected);
  });
});
