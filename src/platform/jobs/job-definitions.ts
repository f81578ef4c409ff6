/**
 * The one registry of background jobs: name → payload type → queue and retry policy.
 * Each name must have exactly one @JobHandler; boot fails otherwise (see job-registry.ts).
 */
export const QUEUE_NAMES = ['system', 'decisions', 'feedback', 'learning', 'modeling'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Records when an API key was last used, off the request path. */
  'auth.touch-key': { keyId: string; usedAtMs: number };
  /** A batch of served ads for the decision log (one row per ad, with its propensity), as COPY text lines. */
  'decisions.log': import('../../modules/delivery/decision-log').DecisionLogBatch;
  /** Recompute rule packages after a profile import, or the combination packages built on changed packages. */
  'audiences.recompute-packages': { cause: 'profiles' | 'packages'; changedKeys: string[]; token: string };
  /** Verified tracking events (one link hit, or one POST /v1/events batch) for the feedback worker. */
  'feedback.events': { events: import('../../engine/feedback/events').FeedbackEvent[] };
  /** One stage of a modeling run (a flow: each stage runs after the one it depends on). */
  'modeling.stage': import('../../modules/modeling/modeling.service').ModelingStagePayload;
  /** Train item-CF neighbours or item2vec vectors on the listening data (a new stored version). */
  'listening.train': import('../../modules/listening/listening-jobs.service').TrainPayload;
  /** Build (a new version of) a lookalike user package from its seed package. */
  'listening.lookalike': import('../../modules/listening/listening-jobs.service').LookalikePayload;
}

export type JobName = keyof JobPayloads;

export interface JobDefinition<N extends JobName> {
  readonly queue: QueueName;
  readonly attempts: number;
  /** First retry delay; doubles on each further attempt. */
  readonly backoffMs: number;
  /** Jobs with the same key are deduplicated while pending. The jobId is built from it in one place (JobQueue). */
  readonly dedupeKey?: (payload: JobPayloads[N]) => string;
}

export type JobDefinitions = { readonly [N in JobName]: JobDefinition<N> };

export const JOB_DEFINITIONS: JobDefinitions = {
  'listening.train': { queue: 'learning', attempts: 3, backoffMs: 5000, dedupeKey: (p) => `${p.kind}.${p.requestedAtMs}` },
  'listening.lookalike': { queue: 'learning', attempts: 3, backoffMs: 5000, dedupeKey: (p) => `${p.packageKey}.${p.requestedAtMs}` },
  // Stages are idempotent (outputs stored once); a resumed run has a new generation, so new job ids.
  'modeling.stage': { queue: 'modeling', attempts: 4, backoffMs: 2000, dedupeKey: (p) => `${p.runId}.${p.stage}.${p.generation}` },
  'feedback.events': {
    queue: 'feedback',
    // ~17 minutes of doubling retries (0.5 s … 512 s) ride out a database or Redis outage before the dead-letter list.
    attempts: 12,
    backoffMs: 500,
  },
  'decisions.log': {
    queue: 'decisions',
    // The log is the learners' training data and the record offline evaluation replays: like
    // events, ~17 minutes of doubling retries ride out a PostgreSQL failover before the dead-letter
    // list (8 attempts gave up after ~2 minutes).
    attempts: 12,
    backoffMs: 500,
    // A batch is identified by its first row's decision id (its text's first field); a re-enqueued
    // batch is then dropped while the first is pending.
    dedupeKey: (p) => ('copy' in p ? p.copy.slice(0, p.copy.indexOf('\t')) : p.rows[0]?.decisionId) || 'empty',
  },
  'auth.touch-key': {
    queue: 'system',
    attempts: 3,
    backoffMs: 1000,
    // One pending touch per key per minute is plenty for "last used" bookkeeping.
    dedupeKey: (p) => `${p.keyId}.${Math.floor(p.usedAtMs / 60_000)}`,
  },
  'audiences.recompute-packages': {
    queue: 'system',
    attempts: 5,
    backoffMs: 2000,
    // One pending recompute per profile revision or package change is enough: the handler reads the newest inputs.
    dedupeKey: (p) => p.token,
  },
};
