/**
 * The registry of background jobs: name → payload type → queue and retry policy. Each module
 * declares its own jobs in its `jobs.ts`: the payload types by declaration merging into
 * `JobPayloads`, the policies as a `JobDefinitionsOf<…>` object that the composition root
 * (src/composition.ts) gathers into one `JobDefinitions`, which the compiler checks is complete.
 * Each name must have exactly one @JobHandler; boot fails otherwise (see job-registry.ts).
 */
export const QUEUE_NAMES = ['system', 'decisions', 'feedback', 'learning', 'modeling'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

// Filled by the modules' jobs.ts through declaration merging; empty here on purpose.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface JobPayloads {}

export type JobName = keyof JobPayloads;

export interface JobDefinition<N extends JobName> {
  readonly queue: QueueName;
  readonly attempts: number;
  /** First retry delay; doubles on each further attempt. */
  readonly backoffMs: number;
  /**
   * Jobs with the same key are deduplicated while pending (BullMQ: while the job's record is kept).
   * The jobId is built from it in one place (JobsService); undefined means no deduplication.
   */
  readonly dedupeKey?: (payload: JobPayloads[N]) => string | undefined;
}

export type JobDefinitions = { readonly [N in JobName]: JobDefinition<N> };

/** The definitions of some of the jobs: what one module contributes. */
export type JobDefinitionsOf<K extends JobName> = { readonly [N in K]: JobDefinition<N> };
