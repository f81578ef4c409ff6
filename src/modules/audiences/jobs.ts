import type { JobDefinitionsOf } from '../../platform/jobs/job-definitions';

declare module '../../platform/jobs/job-definitions' {
  interface JobPayloads {
    /** Recompute rule packages after a profile import, or the combination packages built on changed packages. */
    'audiences.recompute-packages': { cause: 'profiles' | 'packages'; changedKeys: string[]; token: string };
  }
}

export const AUDIENCE_JOBS: JobDefinitionsOf<'audiences.recompute-packages'> = {
  'audiences.recompute-packages': {
    queue: 'system',
    attempts: 5,
    backoffMs: 2000,
    // One pending recompute per profile revision or package change is enough: the handler reads the newest inputs.
    dedupeKey: (p) => p.token,
  },
};
