import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConfigChangeBus } from './config-bus/config-change-bus';
import { ConfigStateRepository } from './config-bus/config-state.repository';
import { COUNTER_STORE, counterStoreProvider } from './counters/counters.provider';
import { DayPartitionsRepository } from './database/day-partitions.repository';
import { FeedbackClock } from './feedback-clock';
import { HealthService } from './health/health.service';
import { queueReadiness, queueStates } from './health/queue-readiness';
import type { Infrastructure } from './infrastructure';
import { type QueueName, QUEUE_NAMES } from './jobs/job-definitions';
import { JOB_CONSUMER_QUEUES, JOB_DEFINITIONS_TOKEN, JOB_DRIVER, JobsService } from './jobs/jobs.service';
import { SpooledJobs } from './jobs/spooled-jobs.service';
import { MetricsService } from './metrics/metrics.service';
import { APP_CONFIG, COUNTERS_CLUSTER, DATABASE, PROCESS_ROLE, REDIS, TRACKING_SECRET } from './tokens';

@Global()
@Module({})
export class PlatformModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    const consumerQueues: readonly QueueName[] = infra.role === 'api' ? [] : QUEUE_NAMES;
    return {
      module: PlatformModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: APP_CONFIG, useValue: infra.config },
        { provide: PROCESS_ROLE, useValue: infra.role },
        { provide: DATABASE, useValue: infra.database },
        { provide: REDIS, useValue: infra.redis },
        { provide: COUNTERS_CLUSTER, useValue: infra.countersCluster },
        { provide: JOB_DRIVER, useValue: infra.jobDriver },
        { provide: JOB_DEFINITIONS_TOKEN, useValue: infra.jobs },
        { provide: JOB_CONSUMER_QUEUES, useValue: consumerQueues },
        JobsService,
        SpooledJobs,
        MetricsService,
        ConfigStateRepository,
        ConfigChangeBus,
        FeedbackClock,
        DayPartitionsRepository,
        counterStoreProvider,
        { provide: TRACKING_SECRET, useValue: infra.trackingSecret },
        {
          provide: HealthService,
          useFactory: (jobs: JobsService) => {
            const health = new HealthService();
            // Not critical: without PostgreSQL an API node still decides (from its in-memory snapshot) and
            // accepts events (queue or spool); only configuration changes, reports and the workers' writes wait.
            health.register(
              'database',
              async () =>
                (await infra.database.ping().catch(() => false))
                  ? { status: 'up' }
                  : { status: 'down', detail: 'database did not answer: decisions and event intake go on; configuration changes, reports and stored events wait for it' },
              { critical: false },
            );
            const redis = infra.redis;
            if (redis) {
              health.register(
                'redis',
                async () => ((await redis.ping().catch(() => null)) === 'PONG' ? { status: 'up' } : { status: 'down', detail: `redis ${redis.status}` }),
                { critical: false },
              );
            }
            health.register(
              'queues',
              async () => {
                if (!(await jobs.driver.isHealthy())) return { status: 'down', detail: `${jobs.driver.kind} queue backend unreachable` };
                return queueReadiness(queueStates(await jobs.driver.activity(), Date.now(), infra.config.queueStallMs), infra.config.queueStallMs);
              },
              { critical: false },
            );
            return health;
          },
          inject: [JobsService],
        },
      ],
      exports: [APP_CONFIG, PROCESS_ROLE, DATABASE, REDIS, JobsService, SpooledJobs, MetricsService, HealthService, ConfigChangeBus, FeedbackClock, DayPartitionsRepository, COUNTER_STORE, TRACKING_SECRET],
    };
  }
}
