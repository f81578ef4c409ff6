// The public surface of the auth module: other modules import only from here.
// API keys: creation, revocation, the cached key check and the global guard.
export { AUTH_ENTITIES, ApiKeyEntity } from './api-key.entity';
export { ApiKeyService } from './api-key.service';
export { AuthModule } from './auth.module';
export { AUTH_JOBS } from './jobs';
