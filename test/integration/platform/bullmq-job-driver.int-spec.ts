import { BullMqJobDriver } from '../../../src/platform/jobs/bullmq-job-driver';
import { jobDriverContract } from '../../support/job-driver.contract';
import { TEST_REDIS_URL, uniqueName } from '../../support/test-app';

// Each driver instance gets its own prefix: the suite's tests never see each other's jobs.
jobDriverContract('bullmq', async () => new BullMqJobDriver({ redisUrl: TEST_REDIS_URL, prefix: uniqueName('mbt-jobs') }));
