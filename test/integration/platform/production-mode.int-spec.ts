import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { createKeys, checkAuthMatrix } from '../../support/auth-matrix';
import { eventually } from '../../support/job-driver.contract';
import {
  createProductionEnv,
  http,
  startProductionApp,
  startProductionWorker,
  TEST_REDIS_URL,
  type ProductionTestEnv,
  type TestApp,
} from '../../support/test-app';
import type { RunningWorker } from '../../../src/bootstrap';
import { ALL_MIGRATIONS } from '../../../migrations';

const run = promisify(execFile);

describe('production mode (PostgreSQL + Redis + BullMQ, API and worker as separate processes)', () => {
  let prod: ProductionTestEnv;
  let api: TestApp;
  let worker: RunningWorker;

  beforeAll(async () => {
    prod = await createProductionEnv();
    api = await startProductionApp(prod, 'api');
    worker = await startProductionWorker(prod);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await prod?.drop();
  });

  it('is ready with database, Redis and queues up', async () => {
    const ready = await http(api.url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.components).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' }, queues: { status: 'up' } });
  });

  it('ran the migrations on PostgreSQL exactly once although API and worker both booted', async () => {
    const client = new Client({ connectionString: prod.env.DATABASE_URL });
    await client.connect();
    const rows = await client.query('SELECT name FROM migrations ORDER BY id');
    await client.end();
    expect(rows.rows.map((r) => r.name)).toEqual(ALL_MIGRATIONS.map((m) => m.name));
  });

  it('enforces the auth matrix', async () => {
    const keys = await createKeys(api.url, api.adminKey);
    expect(await checkAuthMatrix(api.url, keys)).toEqual([]);
  });

  it('runs jobs enqueued by the API in the separate worker, on BullMQ under its own prefix', async () => {
    const created = await http(api.url, 'POST', '/v1/api-keys', { key: api.adminKey, body: { name: 'bull', role: 'viewer' } });
    await http(api.url, 'GET', '/v1/api-keys', { key: created.body.key });
    const client = new Client({ connectionString: prod.env.DATABASE_URL });
    await client.connect();
    try {
      await eventually(async () => {
        const rows = await client.query('SELECT last_used_at FROM api_keys WHERE id = $1', [created.body.id]);
        return rows.rows[0].last_used_at ? true : null;
      });
    } finally {
      await client.end();
    }
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prod.env.MUSICBOSS_REDIS_PREFIX}:bull:system:*`);
    redis.disconnect();
    expect(keys.length).toBeGreaterThan(0);
  });

  it('reports queue depths in /metrics', async () => {
    const metrics = await http(api.url, 'GET', '/metrics');
    expect(metrics.text).toMatch(/musicboss_queue_jobs\{queue="system",state="completed"\} [1-9]/);
  });
});

describe('npm run migration:run', () => {
  it('applies migrations to an empty PostgreSQL database, then reports it up to date', async () => {
    const prod = await createProductionEnv();
    try {
      const env = { ...process.env, ...prod.env };
      const cli = ['-r', '@swc-node/register', 'src/cli/migration-run.ts'];
      const first = await run(process.execPath, cli, { env, cwd: `${__dirname}/../../..` }).catch((e) => e);
      expect(first.stdout).toContain(`applied ${ALL_MIGRATIONS.length} migration(s): ${ALL_MIGRATIONS.map((m) => m.name).join(', ')}`);
      const second = await run(process.execPath, cli, { env, cwd: `${__dirname}/../../..` });
      expect(second.stdout).toContain('database is up to date');
    } finally {
      await prod.drop();
    }
  }, 60_000);
});
