import { QUEUE_NAMES, type QueueName } from './job-definitions';
import type { DeadLetter, EnqueueOptions, FlowEnvelope, JobDispatcher, JobDriver, JobEnvelope, QueueActivity, QueueCounts } from './job-driver';

interface PendingJob {
  jobId: string;
  name: string;
  payload: unknown;
  options: EnqueueOptions;
  attempt: number;
  runAtMs: number;
  /** When it was last put on the ready list (enqueued, or due after a delay). */
  readyAtMs?: number;
  /** Set for a job inside a flow: its parent runs once all of the parent's children completed. */
  parent?: FlowParent;
}

interface FlowParent {
  job: PendingJob;
  state: QueueState;
  remainingChildren: number;
}

interface QueueState {
  ready: PendingJob[];
  delayed: Set<PendingJob>;
  active: number;
  completed: number;
  failed: DeadLetter[];
  /** jobIds that are waiting, delayed or running: a second enqueue with the same id is dropped, as in BullMQ. */
  pendingIds: Set<string>;
}

const MAX_DEAD_LETTERS = 10_000;

/**
 * Embedded-mode queue: same handlers, same attempts/backoff/delay/dedupe semantics as the BullMQ
 * driver, in memory. Jobs do not survive a restart; embedded mode is for one machine, and every
 * handler is idempotent so a lost job is redone by the next trigger or sweep.
 */
export class InProcessJobDriver implements JobDriver {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<QueueName, QueueState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  private consuming: Set<QueueName> | null = null;
  private dispatch: JobDispatcher | null = null;
  private closed = false;
  private nextId = 1;

  constructor(private readonly options: { concurrency?: number; now?: () => number } = {}) {
    for (const name of QUEUE_NAMES) {
      this.queues.set(name, { ready: [], delayed: new Set(), active: 0, completed: 0, failed: [], pendingIds: new Set() });
    }
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 4;
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  async startConsuming(queues: readonly QueueName[], dispatch: JobDispatcher): Promise<void> {
    this.consuming = new Set(queues);
    this.dispatch = dispatch;
    for (const queue of queues) this.pump(queue);
  }

  async enqueue(jobs: readonly JobEnvelope[]): Promise<void> {
    if (this.closed) throw new Error('job driver is closed');
    for (const job of jobs) {
      const state = this.queues.get(job.options.queue)!;
      const jobId = job.options.jobId ?? `ip-${this.nextId++}`;
      if (state.pendingIds.has(jobId)) continue;
      state.pendingIds.add(jobId);
      const pending: PendingJob = { jobId, name: job.name, payload: job.payload, options: job.options, attempt: 1, runAtMs: 0 };
      this.schedule(state, pending, job.options.delayMs ?? 0);
    }
  }

  async enqueueFlow(flow: FlowEnvelope): Promise<void> {
    if (this.closed) throw new Error('job driver is closed');
    this.addFlowNode(flow, undefined);
  }

  private addFlowNode(flow: FlowEnvelope, parent: FlowParent | undefined): void {
    const state = this.queues.get(flow.options.queue)!;
    const jobId = flow.options.jobId ?? `ip-${this.nextId++}`;
    if (state.pendingIds.has(jobId)) return;
    state.pendingIds.add(jobId);
    const pending: PendingJob = { jobId, name: flow.name, payload: flow.payload, options: flow.options, attempt: 1, runAtMs: 0, parent };
    const children = flow.children ?? [];
    if (children.length === 0) {
      this.schedule(state, pending, flow.options.delayMs ?? 0);
      return;
    }
    const node: FlowParent = { job: pending, state, remainingChildren: children.length };
    for (const child of children) this.addFlowNode(child, node);
  }

  private schedule(state: QueueState, job: PendingJob, delayMs: number): void {
    if (delayMs <= 0) {
      job.readyAtMs = this.now();
      state.ready.push(job);
      this.pump(job.options.queue);
      return;
    }
    job.runAtMs = this.now() + delayMs;
    state.delayed.add(job);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      state.delayed.delete(job);
      job.readyAtMs = this.now();
      state.ready.push(job);
      this.pump(job.options.queue);
    }, delayMs);
    timer.unref?.();
    this.timers.add(timer);
  }

  private pump(queue: QueueName): void {
    if (!this.dispatch || !this.consuming?.has(queue) || this.closed) return;
    const state = this.queues.get(queue)!;
    while (state.active < this.concurrency && state.ready.length > 0) {
      const job = state.ready.shift()!;
      state.active++;
      void this.run(state, job);
    }
  }

  private async run(state: QueueState, job: PendingJob): Promise<void> {
    try {
      await this.dispatch!(job.name, job.payload, { jobId: job.jobId, attempt: job.attempt });
      state.completed++;
      state.pendingIds.delete(job.jobId);
      const parent = job.parent;
      if (parent && --parent.remainingChildren === 0) this.schedule(parent.state, parent.job, parent.job.options.delayMs ?? 0);
    } catch (error) {
      if (job.attempt < job.options.attempts) {
        const delayMs = job.options.backoffMs * 2 ** (job.attempt - 1);
        job.attempt++;
        state.active--;
        this.schedule(state, job, delayMs);
        this.notifyIdle();
        return;
      }
      state.pendingIds.delete(job.jobId);
      state.failed.push({
        jobId: job.jobId,
        name: job.name,
        payload: job.payload,
        error: error instanceof Error ? error.message : String(error),
        attempts: job.attempt,
        failedAtMs: this.now(),
      });
      if (state.failed.length > MAX_DEAD_LETTERS) state.failed.shift();
      // As BullMQ's failParentOnFailure: the ancestors of a dead child fail too instead of waiting forever.
      for (let p = job.parent; p; p = p.job.parent) {
        p.state.pendingIds.delete(p.job.jobId);
        p.state.failed.push({ jobId: p.job.jobId, name: p.job.name, payload: p.job.payload, error: `child ${job.jobId} failed`, attempts: 0, failedAtMs: this.now() });
      }
    }
    state.active--;
    this.pump(job.options.queue);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.activeCount() > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private activeCount(): number {
    let active = 0;
    for (const state of this.queues.values()) active += state.active;
    return active;
  }

  async counts(): Promise<Record<QueueName, QueueCounts>> {
    const result = {} as Record<QueueName, QueueCounts>;
    for (const [name, state] of this.queues) {
      result[name] = {
        waiting: state.ready.length,
        active: state.active,
        delayed: state.delayed.size,
        failed: state.failed.length,
        completed: state.completed,
      };
    }
    return result;
  }

  async activity(): Promise<Record<QueueName, QueueActivity>> {
    const result = {} as Record<QueueName, QueueActivity>;
    const nowMs = this.now();
    for (const [name, state] of this.queues) {
      result[name] = {
        waiting: state.ready.length,
        oldestWaitingAtMs: state.ready[0]?.readyAtMs ?? null,
        // This process is the worker: it consumes a queue for as long as it is open.
        consumedAtMs: this.consuming?.has(name) && !this.closed ? nowMs : null,
      };
    }
    return result;
  }

  async deadLetters(queue: QueueName, limit: number): Promise<DeadLetter[]> {
    return this.queues.get(queue)!.failed.slice(-limit).reverse();
  }

  async isHealthy(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Drain what is ready before stopping, so accepted work isn't dropped on a clean shutdown.
    await this.drain();
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Resolves when no job is ready or running (delayed jobs may remain). */
  async drain(): Promise<void> {
    for (;;) {
      let ready = 0;
      for (const [name, state] of this.queues) if (this.consuming?.has(name)) ready += state.ready.length;
      if (ready === 0 && this.activeCount() === 0) return;
      if (!this.dispatch) return;
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }
}
