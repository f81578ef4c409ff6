import { ApiKeyEntity } from '../../modules/auth/api-key.entity';

/** Every TypeORM entity, listed explicitly so the same list works from ts (tests) and compiled js. */
export const ALL_ENTITIES = [ApiKeyEntity];
