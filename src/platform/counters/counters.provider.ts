import { Logger, type Provider } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { AppConfig } from '../../config/config';
import type { CounterStore } from '../../engine/caps/counter-store';
import { InMemoryCounterStore } from '../../engine/caps/in-memory-counter-store';
import { HealthService } from '../health/health.service';
import { MetricsService } from '../metrics/metrics.service';
import { APP_CONFIG, COUNTERS_CLUSTER, REDIS } from '../tokens';
import { ClusterCounterStore } from './cluster-counter-store';
import { FailoverCounterStore } from './failover-counter-store';
import { RedisCounterStore } from './redis-counter-store';

export const COUNTER_STORE = Symbol('COUNTER_STORE');

// Past this, a decision stops waiting on Redis and counts locally (decisions never fail for Redis).
// A dead Redis fails fast (no offline queue), so this only bounds a hung one; set well above
// event-loop stalls under load, which would otherwise flip healthy traffic to local counting.
const REDIS_TIMEOUT_MS = 500;
const REDIS_RETRY_AFTER_MS = 1000;
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Frequency caps, pacing, suppression and exploration counters. Production: Redis (one Lua call
 * per decision), or a Redis Cluster when MUSICBOSS_COUNTERS_CLUSTER names one, behind a failover to
 * local counters when Redis is down or slow, shown as `degraded` in health and
 * `musicboss_counters_degraded`. Embedded: in memory.
 */
export const counterStoreProvider: Provider = {
  provide: COUNTER_STORE,
  inject: [APP_CONFIG, REDIS, COUNTERS_CLUSTER, HealthService, MetricsService],
  useFactory: (config: AppConfig, redis: Redis | null, cluster: Cluster | null, health: HealthService, metrics: MetricsService): CounterStore => {
    const local = new InMemoryCounterStore(Date.now);
    const sweep = setInterval(() => local.sweep(), SWEEP_INTERVAL_MS);
    sweep.unref();
    if (!redis) {
      health.register('counters', async () => ({ status: 'up', detail: 'in-process counters (embedded mode)' }), { critical: false });
      return local;
    }
    const logger = new Logger('Counters');
    const degraded = new Gauge({ name: 'musicboss_counters_degraded', help: '1 while Redis counters are unreachable and decisions count locally', registers: [metrics.registry] });
    const backend = cluster ? new ClusterCounterStore(cluster, `${config.redisPrefix}:c:`) : new RedisCounterStore(redis, `${config.redisPrefix}:c:`);
    const backendName = cluster ? 'redis cluster' : 'redis';
    const store = new FailoverCounterStore(backend, local, {
      timeoutMs: REDIS_TIMEOUT_MS,
      retryAfterMs: REDIS_RETRY_AFTER_MS,
      now: Date.now,
      onStateChange: (isDegraded, error) => {
        degraded.set(isDegraded ? 1 : 0);
        if (isDegraded) logger.warn(`Redis counters unavailable, counting locally: ${error instanceof Error ? error.message : String(error)}`);
        else logger.log('Redis counters back');
      },
    });
    health.register(
      'counters',
      async () => (store.isDegraded ? { status: 'degraded', detail: `${cluster ? 'Redis Cluster' : 'Redis'} unreachable: caps and pacing counted locally on this node` } : { status: 'up', detail: backendName }),
      { critical: false },
    );
    return store;
  },
};
