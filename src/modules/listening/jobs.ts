import type { JobDefinitionsOf } from '../../platform/jobs/job-definitions';
import type { LookalikePayload, TrainPayload } from './listening-jobs.service';

declare module '../../platform/jobs/job-definitions' {
  interface JobPayloads {
    /** Train item-CF neighbours or item2vec vectors on the listening data (a new stored version). */
    'listening.train': TrainPayload;
    /** Build (a new version of) a lookalike user package from its seed package. */
    'listening.lookalike': LookalikePayload;
  }
}

export const LISTENING_JOBS: JobDefinitionsOf<'listening.train' | 'listening.lookalike'> = {
  'listening.train': { queue: 'learning', attempts: 3, backoffMs: 5000, dedupeKey: (p) => `${p.kind}.${p.requestedAtMs}` },
  'listening.lookalike': { queue: 'learning', attempts: 3, backoffMs: 5000, dedupeKey: (p) => `${p.packageKey}.${p.requestedAtMs}` },
};
