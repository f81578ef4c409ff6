import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { AppConfig } from '../../config/config';
import { HealthService } from '../health/health.service';
import { MetricsService } from '../metrics/metrics.service';
import { SegmentSpool } from '../spool/segment-spool';
import { APP_CONFIG } from '../tokens';
import { withTimeout } from '../util/with-timeout';
import type { JobName, JobPayloads } from './job-definitions';
import { JobsService } from './jobs.service';

/** Where an accepted job is durable: in the queue, or in this node's disk spool until the queue takes it. */
export type Durability = 'queue' | 'spool';

/** Neither the queue nor the spool took the job (the spool is full or cannot be written): nothing was accepted. */
export class NotDurableError extends Error {}

interface SpooledJob {
  readonly name: JobName;
  readonly payload: unknown;
}

const FORWARD_INTERVAL_MS = 200;
const FORWARD_BATCH_JOBS = 50;
/** A forward sends up to FORWARD_BATCH_JOBS jobs at once: it gets this many producer timeouts. */
const FORWARD_TIMEOUT_FACTOR = 10;

/**
 * Enqueues jobs that must not be lost when the queue's Redis is down or hung: a job goes to the
 * queue if it answers within MUSICBOSS_QUEUE_TIMEOUT_MS, else to a durable spool on this node's
 * disk (MUSICBOSS_SPOOL_DIR), from which a forwarder hands it to the queue once Redis answers
 * again. While the queue is failing, jobs go straight to the spool (no request waits for the
 * timeout), and back to the queue once the spool was forwarded. Jobs whose definition has a
 * dedupe key are enqueued at most once even when a timed-out enqueue did land and the spooled
 * copy follows it.
 */
@Injectable()
export class SpooledJobs implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Spool');
  private spool: SegmentSpool | null = null;
  private timer: NodeJS.Timeout | null = null;
  private forwarding: Promise<void> | null = null;
  /** Since when jobs go to the spool, or null while they go to the queue. */
  private spoolingSinceMs: number | null = null;
  /** Set when an append was refused (full, or a failed write), cleared by the next one that lands. */
  private spoolProblem: string | null = null;
  private readonly jobsTotal: Counter<'outcome'>;
  private readonly spooling: Gauge;

  constructor(
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
    health: HealthService,
  ) {
    this.jobsTotal = new Counter({
      name: 'musicboss_spool_jobs_total',
      help: 'Jobs (an event link hit, or one event batch) by what happened to them: spooled to disk, forwarded from disk to the queue, refused_full (spool at MUSICBOSS_SPOOL_MAX_BYTES), write_failed',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    const spoolOf = () => this.spool;
    new Gauge({
      name: 'musicboss_spool_bytes',
      help: 'Bytes of spooled jobs on disk waiting to be forwarded to the queue',
      registers: [metrics.registry],
      collect() {
        this.set(spoolOf()?.bytes ?? 0);
      },
    });
    this.spooling = new Gauge({ name: 'musicboss_spool_active', help: '1 while this node sends accepted events to its disk spool because the queue does not answer', registers: [metrics.registry] });
    health.register('intake', async () => this.health(), { critical: false });
  }

  async onModuleInit(): Promise<void> {
    this.spool = await SegmentSpool.open({ dir: this.config.spoolDir, maxBytes: this.config.spoolMaxBytes });
    if (!this.spool.isEmpty) this.logger.warn(`${this.spool.bytes} bytes of spooled jobs in ${this.config.spoolDir} from an earlier run: forwarding them`);
    this.timer = setInterval(() => this.tick(), FORWARD_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.forwarding;
    await this.spool?.close();
  }

  /** Resolves once the job is durable, saying where; throws NotDurableError if neither the queue nor the spool took it. */
  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N]): Promise<Durability> {
    if (this.spoolingSinceMs === null) {
      try {
        await withTimeout(this.jobs.enqueue(name, payload), this.config.queueTimeoutMs);
        return 'queue';
      } catch (error) {
        this.startSpooling(error);
      }
    }
    return this.toSpool({ name, payload });
  }

  private async toSpool(job: SpooledJob): Promise<Durability> {
    if (!this.spool) throw new NotDurableError('the queue did not answer and the spool is not open');
    let result;
    try {
      result = await this.spool.append([job]);
    } catch (error) {
      this.jobsTotal.inc({ outcome: 'write_failed' });
      this.spoolProblem = `spool write failed: ${error instanceof Error ? error.message : String(error)}`;
      throw new NotDurableError(`the queue did not answer and ${this.spoolProblem}`);
    }
    if (result === 'full') {
      this.jobsTotal.inc({ outcome: 'refused_full' });
      this.spoolProblem = `spool full (${this.spool.bytes} of ${this.config.spoolMaxBytes} bytes)`;
      throw new NotDurableError(`the queue did not answer and the ${this.spoolProblem}`);
    }
    this.spoolProblem = null;
    this.jobsTotal.inc({ outcome: 'spooled' });
    return 'spool';
  }

  private startSpooling(error: unknown): void {
    if (this.spoolingSinceMs !== null) return;
    this.spoolingSinceMs = Date.now();
    this.spooling.set(1);
    this.logger.warn(`queue did not take a job within ${this.config.queueTimeoutMs} ms (${error instanceof Error ? error.message : String(error)}): spooling to ${this.config.spoolDir}`);
  }

  private tick(): void {
    if (this.forwarding || !this.spool) return;
    if (this.spool.isEmpty && this.spoolingSinceMs === null) return;
    this.forwarding = this.forwardOnce().finally(() => {
      this.forwarding = null;
    });
  }

  private async forwardOnce(): Promise<void> {
    const spool = this.spool!;
    try {
      const forwarded = await spool.forward((records) => this.send(records as SpooledJob[]), FORWARD_BATCH_JOBS);
      this.jobsTotal.inc({ outcome: 'forwarded' }, forwarded);
      // Everything this node could claim went to the queue; with nothing to forward, ask it directly.
      if (this.spoolingSinceMs !== null && (forwarded > 0 || (await withTimeout(this.jobs.driver.isHealthy(), this.config.queueTimeoutMs)))) {
        this.logger.log(`queue answers again after ${Date.now() - this.spoolingSinceMs} ms; spooled jobs forwarded`);
        this.spoolingSinceMs = null;
        this.spooling.set(0);
      }
    } catch (error) {
      this.startSpooling(error);
    }
  }

  private async send(records: readonly SpooledJob[]): Promise<void> {
    const byName = new Map<JobName, unknown[]>();
    for (const record of records) byName.set(record.name, [...(byName.get(record.name) ?? []), record.payload]);
    for (const [name, payloads] of byName) {
      await withTimeout(this.jobs.enqueueMany(name, payloads as JobPayloads[typeof name][]), this.config.queueTimeoutMs * FORWARD_TIMEOUT_FACTOR);
    }
  }

  private health(): { status: 'up' | 'degraded' | 'down'; detail: string } {
    const spool = this.spool;
    const onDisk = spool && !spool.isEmpty ? `${spool.bytes} bytes spooled in ${this.config.spoolDir}` : 'nothing spooled';
    if (this.spoolingSinceMs === null) return { status: 'up', detail: `events go to the queue; ${onDisk}` };
    const since = new Date(this.spoolingSinceMs).toISOString();
    if (this.spoolProblem !== null) return { status: 'down', detail: `queue unreachable since ${since} and ${this.spoolProblem}: link events are dropped, batches answered 503` };
    return { status: 'degraded', detail: `queue unreachable since ${since}: events are spooled to disk and forwarded when it answers; ${onDisk}` };
  }
}
