/** DI tokens for the infrastructure created before Nest boots (see bootstrap.ts). */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const DATABASE = Symbol('DATABASE');
/** ioredis client in production mode; null in embedded mode. */
export const REDIS = Symbol('REDIS');
export const PROCESS_ROLE = Symbol('PROCESS_ROLE');

export type ProcessRole = 'api' | 'worker' | 'all';
