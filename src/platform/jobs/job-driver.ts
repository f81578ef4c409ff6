import type { QueueName } from './job-definitions';

export interface EnqueueOptions {
  readonly queue: QueueName;
  readonly jobId?: string;
  readonly delayMs?: number;
  readonly attempts: number;
  readonly backoffMs: number;
}

export interface JobEnvelope {
  readonly name: string;
  readonly payload: unknown;
  readonly options: EnqueueOptions;
}

/** A job with children that must all complete before it runs (a BullMQ flow; nested for a chain of stages). */
export interface FlowEnvelope extends JobEnvelope {
  readonly children?: readonly FlowEnvelope[];
}

export interface JobContext {
  readonly jobId: string;
  /** 1 on the first try. */
  readonly attempt: number;
}

export type JobDispatcher = (name: string, payload: unknown, context: JobContext) => Promise<void>;

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/** How a queue is being consumed: what waits, for how long, and when a worker last said it consumes it. */
export interface QueueActivity {
  /** Jobs ready to run (not delayed). */
  waiting: number;
  /** When the oldest waiting job was enqueued, or became due if it was delayed (epoch ms); null when none waits. */
  oldestWaitingAtMs: number | null;
  /** When a worker last reported consuming this queue (epoch ms); null if none ever did. */
  consumedAtMs: number | null;
}

export interface DeadLetter {
  jobId: string;
  name: string;
  payload: unknown;
  error: string;
  attempts: number;
  failedAtMs: number;
}

/**
 * What both queue backends provide. BullMQ in production; an in-process driver in embedded mode
 * that runs the same handlers with the same retry semantics.
 */
export interface JobDriver {
  readonly kind: 'bullmq' | 'in-process';
  /** Starts consuming the given queues. Producers that never call this only enqueue. */
  startConsuming(queues: readonly QueueName[], dispatch: JobDispatcher): Promise<void>;
  enqueue(jobs: readonly JobEnvelope[]): Promise<void>;
  /** Enqueues a tree of jobs: every job runs only after all its children completed; a child that exhausts its attempts fails its parent. */
  enqueueFlow(flow: FlowEnvelope): Promise<void>;
  counts(): Promise<Record<QueueName, QueueCounts>>;
  /** Per queue: depth, the age of its oldest waiting job, and when a worker last consumed it (for readiness and metrics). */
  activity(): Promise<Record<QueueName, QueueActivity>>;
  deadLetters(queue: QueueName, limit: number): Promise<DeadLetter[]>;
  isHealthy(): Promise<boolean>;
  /** Stops taking new jobs and waits for running ones (graceful shutdown). */
  close(): Promise<void>;
}
