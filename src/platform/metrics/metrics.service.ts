import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AppConfig } from '../../config/config';
import { queueStates, type QueueState } from '../health/queue-readiness';
import { JobsService } from '../jobs/jobs.service';
import { APP_CONFIG } from '../tokens';

/** One read of the queues' activity serves the gauges of one scrape. */
const ACTIVITY_REUSE_MS = 200;

/**
 * One Prometheus registry per application instance (not prom-client's global one), so tests can
 * boot several apps in one process. Feature modules register their own metrics on `registry`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  private activity: { atMs: number; states: Promise<QueueState[]> } | null = null;

  constructor(jobs: JobsService, @Inject(APP_CONFIG) config: AppConfig) {
    collectDefaultMetrics({ register: this.registry, prefix: 'musicboss_' });
    this.httpDuration = new Histogram({
      name: 'musicboss_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    new Gauge({
      name: 'musicboss_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        try {
          const counts = await jobs.counts();
          for (const [queue, c] of Object.entries(counts)) {
            for (const [state, value] of Object.entries(c)) this.set({ queue, state }, value);
          }
        } catch {
          // Queue backend unreachable: leave the last values; health reports the outage.
        }
      },
    });
    const states = (): Promise<QueueState[]> => {
      const nowMs = Date.now();
      if (!this.activity || nowMs - this.activity.atMs > ACTIVITY_REUSE_MS) {
        this.activity = { atMs: nowMs, states: jobs.driver.activity().then((activity) => queueStates(activity, nowMs, config.queueStallMs)) };
      }
      return this.activity.states;
    };
    const queueGauge = (name: string, help: string, value: (state: QueueState) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['queue'],
        registers: [this.registry],
        async collect() {
          try {
            for (const state of await states()) this.set({ queue: state.queue }, value(state));
          } catch {
            // Queue backend unreachable: leave the last values; health reports the outage.
          }
        },
      });
    queueGauge('musicboss_queue_oldest_waiting_seconds', 'Age of the oldest job waiting in each queue (its lag); 0 when none waits', (s) => s.lagMs / 1000);
    queueGauge('musicboss_queue_consumed_seconds_ago', 'Seconds since a worker last reported consuming each queue; -1 if none ever did', (s) => (s.consumedAgoMs === null ? -1 : s.consumedAgoMs / 1000));
    queueGauge('musicboss_queue_stalled', '1 when no worker consumed the queue within MUSICBOSS_QUEUE_STALL_MS or its oldest waiting job is older than that', (s) => (s.stalled ? 1 : 0));
  }
}
