import { Client } from 'pg';
import type { RunningWorker } from '../../../src/bootstrap';
import { ListeningStateService } from '../../../src/modules/listening/listening-state.service';
import { eventually } from '../../support/job-driver.contract';
import { expectOk } from '../../support/seed-ads';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';

const PER_SCENE = 60;

function plays(): string {
  const lines: string[] = [];
  let s = 3;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (const scene of ['rock', 'kpop']) {
    for (let u = 0; u < PER_SCENE; u++) {
      const picked = new Set<number>();
      while (picked.size < 6) picked.add(Math.floor(rand() * 12));
      for (const a of picked) lines.push(`${scene}-fan-${u}\t${scene}-${a}\t${1 + Math.floor(rand() * 20)}`);
    }
  }
  return lines.join('\n') + '\n';
}

describe('listening in production mode: import on node A, training and lookalike on the worker, served by node B', () => {
  let prod: ProductionTestEnv;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let worker: RunningWorker;
  let key: string;

  beforeAll(async () => {
    prod = await createProductionEnv({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000', MUSICBOSS_MODEL_BUDGET_MS: '500' });
    nodeA = await startProductionApp(prod, 'api');
    nodeB = await startProductionApp(prod, 'api');
    worker = await startProductionWorker(prod);
    key = prod.adminKey;
  }, 90_000);
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await worker?.close();
    await prod?.drop();
  });

  it('stores plays with replace and add semantics', async () => {
    const text = (path: string, body: string) => http(nodeA.url, 'POST', path, { key, rawBody: body, headers: { 'content-type': 'text/plain' } });
    expect((await text('/v1/listening/import', plays())).body).toMatchObject({ rejected: 0, users: 2 * PER_SCENE });
    expect((await text('/v1/listening/import?mode=add', 'probe\trock-1\t3\nprobe\trock-1\t4\n')).body).toMatchObject({ accepted: 2, users: 1, items: 1 });
    expect((await text('/v1/listening/import?mode=add', 'probe\trock-1\t5\n')).body).toMatchObject({ accepted: 1 });
    const db = new Client({ connectionString: prod.env.DATABASE_URL });
    await db.connect();
    try {
      const read = async () =>
        (await db.query(`SELECT p.plays FROM listening_plays p JOIN listening_users u USING (user_idx) JOIN listening_items i USING (item_idx) WHERE u.user_key = 'probe' AND i.item_key = 'rock-1'`)).rows[0].plays;
      expect(await read()).toBe(12);
      // Node B's in-memory histories (what the CF scorer reads) follow incrementally.
      const stateB = nodeB.api.app.get(ListeningStateService);
      await eventually(async () => (stateB.current().historyByUserKey.get('probe')?.[0]?.plays === 12 ? true : null), 10_000);
      expect(stateB.current().historyByUserKey.get('rock-fan-0')).toHaveLength(6);
      await text('/v1/listening/import', 'probe\trock-1\t2\n');
      expect(await read()).toBe(2);
      // Re-imports and repeated keys across batches leave no holes in the dense indices.
      await text('/v1/listening/import', plays());
      const dense = await db.query(
        `SELECT (SELECT count(*) FROM listening_items)::int AS items, (SELECT max(item_idx) + 1 FROM listening_items) AS item_span,
                (SELECT count(*) FROM listening_users)::int AS users, (SELECT max(user_idx) + 1 FROM listening_users) AS user_span`,
      );
      expect(dense.rows[0]).toEqual({ items: 24, item_span: 24, users: 2 * PER_SCENE + 1, user_span: 2 * PER_SCENE + 1 });
    } finally {
      await db.end();
    }
  });

  it('trains CF and item2vec on the worker; node B loads both versions and answers similar items', async () => {
    const items = ['rock', 'kpop'].flatMap((scene) => Array.from({ length: 12 }, (_, a) => JSON.stringify({ itemId: `${scene}-${a}`, name: `${scene} artist ${a}`, genre: scene })));
    await expectOk(http(nodeA.url, 'POST', '/v1/listening/items', { key, rawBody: items.join('\n'), headers: { 'content-type': 'application/x-ndjson' } }));
    expect((await http(nodeA.url, 'POST', '/v1/listening/train', { key, body: { kind: 'cf' } })).status).toBe(202);
    expect((await http(nodeA.url, 'POST', '/v1/listening/train', { key, body: { kind: 'item2vec', dim: 8, epochs: 20, minCount: 2, seed: 5 } })).status).toBe(202);
    const stateB = nodeB.api.app.get(ListeningStateService);
    await eventually(async () => (stateB.current().cf?.version === 1 && stateB.current().item2vec?.version === 1 ? true : null), 60_000);
    const similar = await http(nodeB.url, 'GET', '/v1/items/kpop-4/similar?k=4', { key });
    expect(similar.body.versions).toEqual({ cf: 1, item2vec: 1 });
    for (const side of [similar.body.cf.iuf, similar.body.cf.jaccard, similar.body.item2vec]) {
      expect(side.filter((n: { genre: string }) => n.genre === 'kpop').length).toBeGreaterThanOrEqual(3);
    }
  }, 90_000);

  it('builds a lookalike package on the worker, excluding an exclusion package, visible on node B', async () => {
    const profiles = ['rock', 'kpop'].flatMap((scene) => Array.from({ length: PER_SCENE }, (_, u) => JSON.stringify({ userId: `${scene}-fan-${u}`, genres: [scene] })));
    await expectOk(http(nodeA.url, 'POST', '/v1/profiles/import', { key, rawBody: profiles.join('\n'), headers: { 'content-type': 'application/x-ndjson' } }));
    const upload = async (pkg: string, users: string[]) => {
      await expectOk(http(nodeA.url, 'POST', '/v1/packages', { key, body: { key: pkg, name: pkg, kind: 'upload' } }));
      await expectOk(http(nodeA.url, 'PUT', `/v1/packages/${pkg}/members`, { key, rawBody: users.join('\n'), headers: { 'content-type': 'text/plain' } }));
    };
    await upload('kpop-seed', Array.from({ length: 15 }, (_, u) => `kpop-fan-${u}`));
    await upload('kpop-converted', ['kpop-fan-20', 'kpop-fan-21']);
    const queued = await http(nodeA.url, 'POST', '/v1/packages/lookalike', { key, body: { key: 'kpop-more', seedPackage: 'kpop-seed', targetSize: 30, excludePackage: 'kpop-converted' } });
    expect(queued.status).toBe(202);
    const built = await eventually(async () => {
      const r = await http(nodeB.url, 'GET', '/v1/packages/kpop-more', { key });
      return r.body.version >= 1 ? r.body : null;
    }, 30_000);
    expect(built).toMatchObject({ kind: 'lookalike', size: 30, definition: { excludePackage: 'kpop-converted', report: { seedSize: 15, members: 30 } } });
    const packagesOnB = async (user: string) =>
      eventually(async () => {
        const r = await http(nodeB.url, 'GET', `/v1/profiles/${user}`, { key });
        return r.status === 200 ? (r.body.packages as string[]) : null;
      });
    expect(await packagesOnB('kpop-fan-20')).not.toContain('kpop-more');
    expect(await packagesOnB('kpop-fan-3')).not.toContain('kpop-more');
    await eventually(async () => ((await packagesOnB('kpop-fan-40')).includes('kpop-more') || (await packagesOnB('kpop-fan-50')).includes('kpop-more') ? true : null), 10_000);
  }, 90_000);
});
