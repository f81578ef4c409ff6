/**
 * Production-mode processes for benchmarks: a fresh PostgreSQL database, the API and worker
 * started from dist/ as child processes against the local PostgreSQL and Redis, and teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';

const ROOT = join(__dirname, '..', '..', '..');
export const BENCH_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The Node flags `npm start` and the Docker image run MusicBoss with (package.json, docker/Dockerfile).
 * BENCH_SEMI_SPACE_MB tries another young-generation size (both servers of bench:decision get it).
 */
export const NODE_FLAGS = [`--max-semi-space-size=${Number(process.env.BENCH_SEMI_SPACE_MB ?? 32)}`];

/**
 * Starts dist/<script>; BENCH_CPU_PROFILE=dir writes a V8 CPU profile of it, to see where time goes,
 * and BENCH_TRACE_GC=1 has V8 print each of its GCs (--trace-gc-nvp, with the process's stdout) to the bench's stderr.
 */
export function startProcess(script: string, env: Record<string, string>, log: (line: string) => void): ChildProcess {
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const traceGc = process.env.BENCH_TRACE_GC === '1' ? ['--trace-gc-nvp'] : [];
  const child = spawn(process.execPath, [...NODE_FLAGS, ...profile, ...traceGc, script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', traceGc.length > 0 ? process.stderr : 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => code && !signal && log(`# ${script} exited with ${code}`));
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

export interface ProductionStack {
  readonly url: string;
  readonly adminKey: string;
  readonly port: number;
  /** The fresh database the processes use (dropped on close). */
  readonly databaseUrl: string;
  /** MUSICBOSS_REDIS_PREFIX of the processes (their keys are deleted on close). */
  readonly redisPrefix: string;
  /** Process ids of the API and of each worker. */
  readonly pids: { readonly api: number; readonly workers: readonly number[] };
  close(): Promise<void>;
}

/** Deletes every Redis key under `prefix:`. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(BENCH_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * A fresh database, an API process and `workers` worker processes in production mode.
 * `extraEnv` adds settings (e.g. a short attribution window); close drops the database and the Redis keys.
 */
export async function startProductionStack(name: string, extraEnv: Record<string, string>, log: (line: string) => void, workers = 1): Promise<ProductionStack> {
  const dbName = `${name}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: BENCH_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = new URL(BENCH_PG_URL);
  dbUrl.pathname = `/${dbName}`;
  const adminKey = `mb_${randomBytes(24).toString('base64url')}`;
  const port = await freePort();
  const redisPrefix = `${name}-${Date.now().toString(36)}`;
  const env = {
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: BENCH_REDIS_URL,
    MUSICBOSS_REDIS_PREFIX: redisPrefix,
    MUSICBOSS_TRACKING_SECRET: randomBytes(32).toString('hex'),
    MUSICBOSS_BOOTSTRAP_ADMIN_KEY: adminKey,
    MUSICBOSS_RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    MUSICBOSS_DEMO: 'false',
    ...extraEnv,
  };
  const children = [startProcess('dist/src/main.js', env, log)];
  for (let i = 0; i < workers; i++) children.push(startProcess('dist/src/worker.js', env, log));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    for (const child of children) await stopProcess(child);
    const c = new Client({ connectionString: BENCH_PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
    await deleteRedisKeys(redisPrefix);
  };
  try {
    await waitForHttp(`${url}/health/ready`, 120_000);
  } catch (error) {
    await close();
    throw error;
  }
  const pids = { api: children[0].pid ?? 0, workers: children.slice(1).map((c) => c.pid ?? 0) };
  return { url, adminKey, port, databaseUrl: dbUrl.toString(), redisPrefix, pids, close };
}
