import { AUDIENCE_ENTITIES, AUDIENCE_JOBS } from './modules/audiences';
import { AUDIT_ENTITIES } from './modules/audit';
import { AUTH_ENTITIES, AUTH_JOBS } from './modules/auth';
import { CATALOG_ENTITIES } from './modules/catalog';
import { DELIVERY_JOBS } from './modules/delivery';
import { LISTENING_JOBS } from './modules/listening';
import { MODELING_JOBS } from './modules/modeling';
import { TRACKING_JOBS } from './modules/tracking';
import type { AppParts } from './platform/infrastructure';
import type { JobDefinitions } from './platform/jobs/job-definitions';

/** Every background job of every module; the type makes the compiler check that none is missing. */
export const APP_JOBS: JobDefinitions = { ...AUTH_JOBS, ...AUDIENCE_JOBS, ...DELIVERY_JOBS, ...TRACKING_JOBS, ...MODELING_JOBS, ...LISTENING_JOBS };

/** What the modules hand the platform before Nest boots: their TypeORM entities and their jobs. */
export const APP_PARTS: AppParts = {
  entities: [...AUTH_ENTITIES, ...AUDIT_ENTITIES, ...CATALOG_ENTITIES, ...AUDIENCE_ENTITIES],
  jobs: APP_JOBS,
};
