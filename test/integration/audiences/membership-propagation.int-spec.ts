import { Client } from 'pg';
import type { RunningWorker } from '../../../src/bootstrap';
import { AudienceMembershipService } from '../../../src/modules/audiences/audience-membership.service';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';

/** Polls until `probe` holds; returns how long it took. */
async function within(limitMs: number, probe: () => boolean): Promise<number> {
  const start = Date.now();
  while (!probe()) {
    if (Date.now() - start > limitMs) throw new Error(`not reached within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

describe('audience membership across API nodes (production mode: PostgreSQL, Redis, separate worker)', () => {
  let prod: ProductionTestEnv;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let worker: RunningWorker;
  let key: string;

  beforeAll(async () => {
    prod = await createProductionEnv({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    nodeA = await startProductionApp(prod, 'api');
    nodeB = await startProductionApp(prod, 'api');
    worker = await startProductionWorker(prod);
    key = prod.adminKey;
    const profiles = Array.from({ length: 200 }, (_, i) => JSON.stringify({ userId: `u${i}`, vipLevel: i % 8, region: i % 2 ? 'east' : 'west' })).join('\n');
    const imported = await http(nodeA.url, 'POST', '/v1/profiles/import', { key, rawBody: profiles, headers: { 'content-type': 'application/x-ndjson' } });
    expect(imported.body).toMatchObject({ inserted: 200, rejected: 0 });
  }, 90_000);
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await worker?.close();
    await prod?.drop();
  });

  it('an upload on node A reaches node B’s membership snapshot within one second, version and members', async () => {
    const membershipB = nodeB.api.app.get(AudienceMembershipService);
    expect((await http(nodeA.url, 'POST', '/v1/packages', { key, body: { key: 'listed', name: 'listed', kind: 'upload' } })).status).toBe(201);
    for (const [round, ids] of [
      [1, ['u1', 'u2', 'u3']],
      [2, ['u4', 'u5']],
      [3, ['u1', 'u199']],
    ] as const) {
      const uploaded = await http(nodeA.url, 'PUT', '/v1/packages/listed/members', { key, rawBody: ids.join('\n'), headers: { 'content-type': 'text/plain' } });
      expect(uploaded.body).toMatchObject({ isStored: true, members: ids.length, package: { version: round } });
      const tookMs = await within(1000, () => membershipB.current().packageVersions.get('listed') === round);
      expect(tookMs).toBeLessThanOrEqual(1000);
      const snapshot = membershipB.current();
      for (const id of ['u1', 'u2', 'u3', 'u4', 'u5', 'u199']) expect(snapshot.isMember('listed', id)).toBe((ids as readonly string[]).includes(id));
    }
  });

  it('a rule package recomputed by the worker after an import on node A reaches node B', async () => {
    const membershipB = nodeB.api.app.get(AudienceMembershipService);
    const created = await http(nodeA.url, 'POST', '/v1/packages', { key, body: { key: 'vip7', name: 'vip 7', kind: 'rule', rule: { attr: 'vipLevel', in: ['7'] } } });
    expect(created.body).toMatchObject({ version: 1, size: 25 });
    await within(1000, () => membershipB.current().packageVersions.get('vip7') === 1);
    expect(membershipB.current().isMember('vip7', 'u0')).toBe(false);

    await http(nodeA.url, 'POST', '/v1/profiles/import', { key, rawBody: 'user_id,vip_level\nu0,7\nnew-user,7\n', headers: { 'content-type': 'text/csv' } });
    // The worker (a separate process role) runs the recompute; node B follows through pub/sub.
    await within(10_000, () => membershipB.current().packageVersions.get('vip7') === 2);
    expect(membershipB.current().isMember('vip7', 'u0')).toBe(true);
    expect(membershipB.current().isMember('vip7', 'new-user')).toBe(true);

    const db = new Client({ connectionString: prod.env.DATABASE_URL });
    await db.connect();
    try {
      const rows = await db.query(`SELECT size, version FROM user_packages WHERE key = 'vip7'`);
      expect(rows.rows[0]).toEqual({ size: 27, version: 2 });
    } finally {
      await db.end();
    }
  });

  it('analysis on node B answers from its own index, including profiles imported on node A', async () => {
    const analyzed = await http(nodeB.url, 'POST', '/v1/audiences/analyze', { key, body: { rule: { attr: 'vipLevel', in: ['7'] }, groupBy: ['region'] } });
    expect(analyzed.body.count).toBe(27);
    expect(analyzed.body.groups[0].rows).toEqual([
      { value: 'east', count: 25, share: 25 / 27 },
    ]);
  });
});
