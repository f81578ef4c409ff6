import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DestinationStream } from 'pino';
import { startApi, startWorker, type ApiOptions, type RunningApi, type RunningWorker } from '../../src/bootstrap';
import { loadConfig, type AppConfig } from '../../src/config/config';
import type { ProcessRole } from '../../src/platform/tokens';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestApp {
  readonly url: string;
  readonly adminKey: string;
  readonly config: AppConfig;
  readonly api: RunningApi;
  close(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

function configFrom(env: Record<string, string>): AppConfig {
  const loaded = loadConfig(env);
  if (loaded.kind === 'error') throw new Error(loaded.message);
  return loaded.config;
}

/**
 * A pino destination that keeps every line, for assertions on logs (pass it as `logDestination`).
 * nestjs-pino builds its logger once per process (per test file under Jest): the first app
 * started decides the destination and level for every later one.
 */
export class LogCapture implements DestinationStream {
  private readonly chunks: string[] = [];
  write(chunk: string): void {
    this.chunks.push(chunk);
  }
  text(): string {
    return this.chunks.join('');
  }
  lines(): Array<Record<string, any>> {
    return this.text().split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }
}

/** Embedded mode (PGlite + in-process queues) in a fresh data directory, on a random port. */
export async function startEmbeddedApp(extraEnv: Record<string, string> = {}, options: ApiOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'musicboss-test-'));
  const adminKey = `mb_${randomBytes(24).toString('base64url')}`;
  const config = configFrom({
    MUSICBOSS_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MUSICBOSS_BOOTSTRAP_ADMIN_KEY: adminKey,
    // Tests build their own data; the demo data set is opted into with MUSICBOSS_DEMO=true.
    MUSICBOSS_DEMO: 'false',
    ...extraEnv,
  });
  const api = await startApi(config, 'all', options);
  return {
    url: api.url,
    adminKey,
    config,
    api,
    async close() {
      await api.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates an empty PostgreSQL database for one test file and returns its URL and a dropper. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName('mbtest').toLowerCase();
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface ProductionTestEnv {
  readonly env: Record<string, string>;
  readonly config: AppConfig;
  readonly adminKey: string;
  drop(): Promise<void>;
}

/** A fresh database and Redis key prefix, so each integration test file is isolated. */
export async function createProductionEnv(extraEnv: Record<string, string> = {}): Promise<ProductionTestEnv> {
  const database = await createTestDatabase();
  const adminKey = `mb_${randomBytes(24).toString('base64url')}`;
  // Local state of the nodes (the event spool), shared by this file's API and worker apps.
  const dataDir = mkdtempSync(join(tmpdir(), 'musicboss-prod-'));
  const env = {
    DATABASE_URL: database.url,
    MUSICBOSS_DATA_DIR: dataDir,
    REDIS_URL: TEST_REDIS_URL,
    MUSICBOSS_REDIS_PREFIX: uniqueName('mbt'),
    MUSICBOSS_TRACKING_SECRET: randomBytes(32).toString('hex'),
    MUSICBOSS_BOOTSTRAP_ADMIN_KEY: adminKey,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  return {
    env,
    config: configFrom(env),
    adminKey,
    async drop() {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startProductionApp(prod: ProductionTestEnv, role: ProcessRole = 'all'): Promise<TestApp> {
  const api = await startApi(prod.config, role);
  return { url: api.url, adminKey: prod.adminKey, config: prod.config, api, close: () => api.close() };
}

export function startProductionWorker(prod: ProductionTestEnv): Promise<RunningWorker> {
  return startWorker(prod.config);
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/** fetch with an API key and JSON handling; returns status and parsed body (or text). */
export async function http<T = any>(
  base: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string | Buffer } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: response.status, body: parsed as T, text, headers: response.headers };
}
