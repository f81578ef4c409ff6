import type { JobDefinitionsOf } from '../../platform/jobs/job-definitions';
import type { DecisionLogBatch } from './decision-log';

declare module '../../platform/jobs/job-definitions' {
  interface JobPayloads {
    /** A batch of served ads for the decision log (one row per ad, with its propensity), as COPY text lines. */
    'decisions.log': DecisionLogBatch;
  }
}

export const DELIVERY_JOBS: JobDefinitionsOf<'decisions.log'> = {
  'decisions.log': {
    queue: 'decisions',
    // The log is the learners' training data and the record offline evaluation replays: like
    // events, ~17 minutes of doubling retries ride out a PostgreSQL failover before the dead-letter
    // list.
    attempts: 12,
    backoffMs: 500,
    // A batch is identified by its first row's decision id (its text's first field); a re-enqueued
    // batch is then dropped while the first is pending.
    dedupeKey: (p) => ('copy' in p ? p.copy.slice(0, p.copy.indexOf('\t')) : p.rows[0]?.decisionId) || 'empty',
  },
};
