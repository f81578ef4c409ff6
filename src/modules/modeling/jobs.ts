import type { JobDefinitionsOf } from '../../platform/jobs/job-definitions';
import type { ModelingStagePayload } from './modeling.service';

declare module '../../platform/jobs/job-definitions' {
  interface JobPayloads {
    /** One stage of a modeling run (a flow: each stage runs after the one it depends on). */
    'modeling.stage': ModelingStagePayload;
  }
}

export const MODELING_JOBS: JobDefinitionsOf<'modeling.stage'> = {
  // Stages are idempotent (outputs stored once); a resumed run has a new generation, so new job ids.
  'modeling.stage': { queue: 'modeling', attempts: 4, backoffMs: 2000, dedupeKey: (p) => `${p.runId}.${p.stage}.${p.generation}` },
};
