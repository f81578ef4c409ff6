import { FlowProducer, Queue, Worker, type ConnectionOptions, type FlowJob, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES, type QueueName } from './job-definitions';
import type { DeadLetter, EnqueueOptions, FlowEnvelope, JobDispatcher, JobDriver, JobEnvelope, QueueActivity, QueueCounts } from './job-driver';

export interface BullMqDriverOptions {
  readonly redisUrl: string;
  /** Key prefix, so several deployments or test files can share one Redis. */
  readonly prefix: string;
  readonly concurrency?: Partial<Record<QueueName, number>>;
  /** How long a producer's Redis command may take from when it is sent (ioredis commandTimeout); workers' blocking reads have none. */
  readonly commandTimeoutMs?: number;
  /** How often a consuming process records, per queue, that it is consuming it (read by every node's readiness). */
  readonly heartbeatMs?: number;
}

const DEFAULT_HEARTBEAT_MS = 5000;

/** Producers fail rather than wait past this when no timeout is configured. */
const DEFAULT_COMMAND_TIMEOUT_MS = 500;
/**
 * Reconnect attempts while Redis is gone: every 100 ms at first, then every 500 ms, so a returning
 * Redis is used again within about half a second (BullMQ's own default backs off to 20 s).
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(attempt * 100, 500);
}

// Completed jobs are kept only briefly: dedupe ids live as long as the job record does.
const KEEP_COMPLETED = { age: 3600, count: 10_000 };
const KEEP_FAILED = { count: 50_000 };

function connectionFromUrl(url: string, forWorker: boolean, commandTimeoutMs: number): ConnectionOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    username: parsed.username || undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    // Workers must block indefinitely; producers should fail fast so a request never hangs on Redis:
    // no offline queue while disconnected, and a timeout on every command while a hung Redis keeps the socket open.
    maxRetriesPerRequest: forWorker ? null : 1,
    enableOfflineQueue: forWorker,
    ...(forWorker ? {} : { commandTimeout: commandTimeoutMs }),
    retryStrategy: reconnectDelayMs,
  };
}

export class BullMqJobDriver implements JobDriver {
  readonly kind = 'bullmq' as const;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private flowProducer: FlowProducer | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly options: BullMqDriverOptions) {
    const connection = connectionFromUrl(options.redisUrl, false, this.commandTimeoutMs);
    for (const name of QUEUE_NAMES) {
      const queue = new Queue(name, { connection, prefix: options.prefix });
      queue.on('error', () => undefined); // surfaced through isHealthy(); avoids unhandled 'error' events
      this.queues.set(name, queue);
    }
  }

  private get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

  queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  async startConsuming(queues: readonly QueueName[], dispatch: JobDispatcher): Promise<void> {
    const connection = connectionFromUrl(this.options.redisUrl, true, this.commandTimeoutMs);
    for (const name of queues) {
      const worker = new Worker(
        name,
        async (job) => dispatch(job.name, job.data, { jobId: job.id!, attempt: job.attemptsMade + 1 }),
        { connection, prefix: this.options.prefix, concurrency: this.options.concurrency?.[name] ?? 4, autorun: false },
      );
      worker.on('error', () => undefined);
      this.workers.push(worker);
      void worker.run();
      await worker.waitUntilReady();
    }
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), this.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** The hash of when each queue was last consumed: queue name → epoch ms, written by the consuming processes. */
  private get consumedAtKey(): string {
    return `${this.options.prefix}:consumed-at`;
  }

  /** Records now as the consumption time of every queue one of this process's workers is running on. */
  private async beat(): Promise<void> {
    const running = this.workers.filter((w) => w.isRunning() && !w.closing).map((w) => w.name);
    if (running.length === 0) return;
    const nowMs = String(Date.now());
    try {
      const client = (await this.queues.get('system')!.backend.client) as unknown as Redis;
      await client.hset(this.consumedAtKey, Object.fromEntries(running.map((name) => [name, nowMs])));
    } catch {
      // Redis unreachable: no heartbeat, which is what readiness should see.
    }
  }

  async enqueue(jobs: readonly JobEnvelope[]): Promise<void> {
    const byQueue = new Map<QueueName, { name: string; data: unknown; opts: JobsOptions }[]>();
    for (const job of jobs) {
      const list = byQueue.get(job.options.queue) ?? [];
      list.push({ name: job.name, data: job.payload, opts: jobOptions(job.options) });
      byQueue.set(job.options.queue, list);
    }
    await Promise.all([...byQueue].map(([name, list]) => this.queues.get(name)!.addBulk(list)));
  }

  async enqueueFlow(flow: FlowEnvelope): Promise<void> {
    this.flowProducer ??= this.createFlowProducer();
    await this.flowProducer.add(toFlowJob(flow, false));
  }

  private createFlowProducer(): FlowProducer {
    const producer = new FlowProducer({ connection: connectionFromUrl(this.options.redisUrl, false, this.commandTimeoutMs), prefix: this.options.prefix });
    producer.on('error', () => undefined);
    return producer;
  }

  async counts(): Promise<Record<QueueName, QueueCounts>> {
    const result = {} as Record<QueueName, QueueCounts>;
    await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const c = await this.queues.get(name)!.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        result[name] = {
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
          completed: c.completed ?? 0,
        };
      }),
    );
    return result;
  }

  async activity(): Promise<Record<QueueName, QueueActivity>> {
    const client = (await this.queues.get('system')!.backend.client) as unknown as Redis;
    const consumedAt = await client.hgetall(this.consumedAtKey);
    const result = {} as Record<QueueName, QueueActivity>;
    await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const queue = this.queues.get(name)!;
        const [counts, [oldest]] = await Promise.all([queue.getJobCounts('waiting', 'prioritized'), queue.getJobs(['wait'], 0, 0, true)]);
        const consumed = Number(consumedAt[name]);
        result[name] = {
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          oldestWaitingAtMs: oldest ? oldest.timestamp + (oldest.delay ?? 0) : null,
          consumedAtMs: Number.isFinite(consumed) && consumed > 0 ? consumed : null,
        };
      }),
    );
    return result;
  }

  async deadLetters(queue: QueueName, limit: number): Promise<DeadLetter[]> {
    const jobs = await this.queues.get(queue)!.getFailed(0, limit - 1);
    return jobs.map((job) => ({
      jobId: job.id!,
      name: job.name,
      payload: job.data,
      error: job.failedReason,
      attempts: job.attemptsMade,
      failedAtMs: job.finishedOn ?? job.timestamp,
    }));
  }

  async isHealthy(): Promise<boolean> {
    try {
      await this.queues.get('system')!.getJobCounts('waiting');
      return true;
    } catch {
      return false;
    }
  }

  private closing: Promise<void> | null = null;

  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    // Worker.close() waits for active jobs to finish: that is the drain.
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.flowProducer?.close();
  }
}

function jobOptions(options: EnqueueOptions): JobsOptions {
  return {
    jobId: options.jobId,
    delay: options.delayMs,
    attempts: options.attempts,
    backoff: { type: 'exponential', delay: options.backoffMs },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
}

function toFlowJob(flow: FlowEnvelope, isChild: boolean): FlowJob {
  return {
    name: flow.name,
    queueName: flow.options.queue,
    data: flow.payload,
    // A child that exhausts its attempts fails its parent (visible in the failed list) rather than leaving it waiting.
    opts: { ...jobOptions(flow.options), ...(isChild ? { failParentOnFailure: true } : {}) },
    children: flow.children?.map((child) => toFlowJob(child, true)),
  };
}
