import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { JobsService } from '../jobs/jobs.service';

/**
 * One Prometheus registry per application instance (not prom-client's global one), so tests can
 * boot several apps in one process. Feature modules register their own metrics on `registry`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(jobs: JobsService) {
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
  }
}
