// The public surface of the health module: other modules import only from here.
// Liveness and readiness.
export { HealthController } from './health.controller';
