import { SnapshotService } from '../../../src/modules/snapshot/snapshot.service';
import { Client } from 'pg';
import type { RunningWorker } from '../../../src/bootstrap';
import { expectOk } from '../../support/seed-ads';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';

/** Polls a node's /v1/snapshot until it reaches `version`; returns the milliseconds it took. */
async function waitForVersion(node: TestApp, key: string, version: number, limitMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    const seen = (await expectOk(http(node.url, 'GET', '/v1/snapshot', { key }))).version;
    if (seen >= version) return Date.now() - start;
    if (Date.now() - start > limitMs) throw new Error(`node stuck at version ${seen}, wanted ${version}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('configuration propagation across API nodes (production mode)', () => {
  let prod: ProductionTestEnv;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let worker: RunningWorker;
  let db: Client;

  beforeAll(async () => {
    prod = await createProductionEnv();
    nodeA = await startProductionApp(prod, 'api');
    nodeB = await startProductionApp(prod, 'api');
    worker = await startProductionWorker(prod);
    db = new Client({ connectionString: prod.env.DATABASE_URL });
    await db.connect();
  }, 90_000);
  afterAll(async () => {
    await db?.end();
    await nodeA?.close();
    await nodeB?.close();
    await worker?.close();
    await prod?.drop();
  });

  const committedVersion = async () => Number((await db.query('SELECT version FROM config_state')).rows[0].version);

  it('an edit on node A reaches node B’s decision snapshot within one second', async () => {
    const key = prod.adminKey;
    const slot = await expectOk(http(nodeA.url, 'POST', '/v1/slots', { key, body: { key: 'banner-1', name: 'Banner', format: 'banner', platforms: ['ios'], maxAdsPerResponse: 1 } }));
    const afterCreate = await committedVersion();
    expect(await waitForVersion(nodeB, key, afterCreate, 1000)).toBeLessThanOrEqual(1000);
    expect(nodeB.api.app.get(SnapshotService).current().snapshot.slotsByKey.get('banner-1')?.id).toBe(slot.id);

    for (let i = 0; i < 5; i++) {
      await expectOk(http(nodeA.url, 'PATCH', '/v1/slots/banner-1', { key, headers: { 'if-match': `"${i + 1}"` }, body: { maxAdsPerResponse: i + 2 } }));
      expect(await waitForVersion(nodeB, key, await committedVersion(), 1000)).toBeLessThanOrEqual(1000);
    }
    expect(nodeB.api.app.get(SnapshotService).current().snapshot.slotsByKey.get('banner-1')?.maxAdsPerResponse).toBe(6);
  });

  it('a snapshot that fails to build keeps the old one and raises the alert metric', async () => {
    const key = prod.adminKey;
    const before = (await expectOk(http(nodeB.url, 'GET', '/v1/snapshot', { key }))).version;
    // Break the read path on purpose: the next build on every node fails.
    await db.query('ALTER TABLE creatives RENAME TO creatives_hidden');
    try {
      await db.query('UPDATE config_state SET version = version + 1');
      await new Promise((r) => setTimeout(r, 1500));
      expect((await expectOk(http(nodeB.url, 'GET', '/v1/snapshot', { key }))).version).toBe(before);
      const metrics = await http(nodeB.url, 'GET', '/metrics');
      expect(metrics.text).toMatch(/musicboss_snapshot_build_failures_total [1-9]/);
      expect((await http(nodeB.url, 'GET', '/health/ready')).body.components.snapshot.status).toBe('up');
    } finally {
      await db.query('ALTER TABLE creatives_hidden RENAME TO creatives');
    }
    expect(await waitForVersion(nodeB, key, await committedVersion(), 2000)).toBeLessThanOrEqual(2000);
  });
});
