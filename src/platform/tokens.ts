/** DI tokens for the infrastructure created before Nest boots (see bootstrap.ts). */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const DATABASE = Symbol('DATABASE');
/** ioredis client in production mode; null in embedded mode. */
export const REDIS = Symbol('REDIS');
/** ioredis Cluster client of the counters when MUSICBOSS_COUNTERS_CLUSTER is set; null otherwise. */
export const COUNTERS_CLUSTER = Symbol('COUNTERS_CLUSTER');
export const PROCESS_ROLE = Symbol('PROCESS_ROLE');
/** HMAC secret of tracking links: from config in production, generated once and kept in the data dir in embedded mode. */
export const TRACKING_SECRET = Symbol('TRACKING_SECRET');

export type ProcessRole = 'api' | 'worker' | 'all';
