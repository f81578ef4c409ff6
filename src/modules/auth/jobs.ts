import type { JobDefinitionsOf } from '../../platform/jobs/job-definitions';

declare module '../../platform/jobs/job-definitions' {
  interface JobPayloads {
    /** Records when an API key was last used, off the request path. */
    'auth.touch-key': { keyId: string; usedAtMs: number };
  }
}

export const AUTH_JOBS: JobDefinitionsOf<'auth.touch-key'> = {
  'auth.touch-key': {
    queue: 'system',
    attempts: 3,
    backoffMs: 1000,
    // One pending touch per key per minute is plenty for "last used" bookkeeping.
    dedupeKey: (p) => `${p.keyId}.${Math.floor(p.usedAtMs / 60_000)}`,
  },
};
