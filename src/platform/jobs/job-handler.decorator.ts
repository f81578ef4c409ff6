import { SetMetadata } from '@nestjs/common';
import type { JobName } from './job-definitions';

export const JOB_HANDLER_METADATA = 'musicboss:job-handler';

/** Marks a provider method as THE handler of a job name. Exactly one per job name, checked at boot. */
export const JobHandler = (name: JobName): MethodDecorator => SetMetadata(JOB_HANDLER_METADATA, name);
