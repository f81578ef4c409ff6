import { APP_JOBS } from '../../src/composition';
import type { JobName } from '../../src/platform/jobs/job-definitions';

/** Seconds from a job's first failure to its last retry: backoff doubles from backoffMs on each attempt. */
function retryWindowS(name: JobName): number {
  const { attempts, backoffMs } = APP_JOBS[name];
  return (backoffMs * (2 ** (attempts - 1) - 1)) / 1000;
}

describe('job definitions', () => {
  // Jobs that carry data already accepted from someone (an event, a served ad's log row) must
  // outlast a PostgreSQL failover or a Redis restart before they reach the dead-letter list.
  it.each<[JobName, number]>([
    ['feedback.events', 15 * 60],
    ['decisions.log', 15 * 60],
  ])('%s retries for at least %i s', (name, minS) => {
    expect(retryWindowS(name)).toBeGreaterThanOrEqual(minS);
  });

  it('computes the retry window of doubling backoff', () => {
    expect(retryWindowS('feedback.events')).toBeCloseTo(1023.5, 5);
  });
});
