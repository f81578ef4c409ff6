import { jobDriverContract } from '../../../test/support/job-driver.contract';
import { InProcessJobDriver } from './in-process-job-driver';

jobDriverContract('in-process', async () => new InProcessJobDriver());
