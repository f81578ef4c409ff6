import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { describeUrl, type AppConfig, type CountersClusterConfig } from '../config/config';
import { DatabaseService, type DatabaseEntity } from './database/database.service';
import { BullMqJobDriver } from './jobs/bullmq-job-driver';
import { InProcessJobDriver } from './jobs/in-process-job-driver';
import type { JobDefinitions } from './jobs/job-definitions';
import type { JobDriver } from './jobs/job-driver';
import type { ProcessRole } from './tokens';

/** What the modules contribute before Nest boots (src/composition.ts gathers it). */
export interface AppParts {
  readonly entities: readonly DatabaseEntity[];
  readonly jobs: JobDefinitions;
}

/** What a process needs before Nest boots, opened and closed in a known order. */
export interface Infrastructure {
  readonly config: AppConfig;
  readonly role: ProcessRole;
  readonly database: DatabaseService;
  readonly redis: Redis | null;
  /** The counters' Redis Cluster (MUSICBOSS_COUNTERS_CLUSTER); null when they live on `redis` or in process. */
  readonly countersCluster: Cluster | null;
  readonly jobDriver: JobDriver;
  readonly jobs: JobDefinitions;
  readonly trackingSecret: string;
  /** One line for the boot banner: mode and where the data lives. */
  readonly description: string;
  close(): Promise<void>;
}

export function createRedisClient(url: string, overrides: Partial<RedisOptions> = {}): Redis {
  const client = new Redis(url, {
    // Fail fast: the decision path degrades to local counters rather than waiting on a dead Redis.
    maxRetriesPerRequest: 1,
    // Commands issued in the same tick (concurrent decisions, BullMQ adds) share one socket write.
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...overrides,
  });
  client.on('error', () => undefined); // reported through health, not as an unhandled event
  return client;
}

/**
 * The counters' cluster client. Unlike the single client it keeps ioredis's offline queue: until
 * the slot map is loaded, commands wait for it rather than fail, and the counter store's own
 * timeout still bounds what a decision waits.
 */
export function createCountersClusterClient(cluster: CountersClusterConfig): Cluster {
  const client = new Cluster([...cluster.nodes], {
    enableAutoPipelining: true,
    clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
    redisOptions: {
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      ...(cluster.username !== null ? { username: cluster.username } : {}),
      ...(cluster.password !== null ? { password: cluster.password } : {}),
      ...(cluster.tls ? { tls: {} } : {}),
    },
  });
  client.on('error', () => undefined); // reported through health, not as an unhandled event
  return client;
}

export async function openInfrastructure(config: AppConfig, role: ProcessRole, parts: AppParts): Promise<Infrastructure> {
  const trackingSecret = config.trackingSecret ?? loadOrCreateLocalSecret(join(config.dataDir, 'tracking-secret'));
  const database = await DatabaseService.open(config, { runMigrations: true, entities: parts.entities });
  const redis = config.redisUrl ? createRedisClient(config.redisUrl) : null;
  const countersCluster = config.countersCluster ? createCountersClusterClient(config.countersCluster) : null;
  const jobDriver: JobDriver = config.redisUrl
    ? new BullMqJobDriver({ redisUrl: config.redisUrl, prefix: `${config.redisPrefix}:bull`, commandTimeoutMs: config.queueTimeoutMs, heartbeatMs: heartbeatMs(config.queueStallMs) })
    : new InProcessJobDriver();
  const description =
    config.mode === 'production'
      ? `production mode: PostgreSQL ${describeUrl(config.databaseUrl!)}, Redis ${describeUrl(config.redisUrl!)} (prefix "${config.redisPrefix}"), BullMQ queues` +
        (config.countersCluster ? `, counters on a Redis Cluster (${config.countersCluster.nodes.map((n) => `${n.host}:${n.port}`).join(', ')})` : '')
      : `embedded mode: PGlite data in ${database.location}, in-process queues and counters`;
  return {
    config,
    role,
    database,
    redis,
    countersCluster,
    jobDriver,
    jobs: parts.jobs,
    trackingSecret,
    description,
    async close() {
      redis?.disconnect();
      countersCluster?.disconnect();
      await database.close();
    },
  };
}

/** Workers record that they consume a queue several times per stall limit, so one late write does not flag it. */
function heartbeatMs(stallMs: number): number {
  return Math.max(250, Math.min(5000, Math.floor(stallMs / 4)));
}

/** Embedded mode: a per-installation secret, created on first start and kept (0600) beside the data. */
function loadOrCreateLocalSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}
