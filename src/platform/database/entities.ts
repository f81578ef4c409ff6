import { AUDIENCE_ENTITIES } from '../../modules/audiences/audience.entities';
import { AuditLogEntity } from '../../modules/audit/audit-log.entity';
import { ApiKeyEntity } from '../../modules/auth/api-key.entity';
import { CampaignEntity, CreativeEntity, DeliveryPolicyEntity, SlotEntity } from '../../modules/campaigns/config.entities';

/** Every TypeORM entity, listed explicitly so the same list works from ts (tests) and compiled js. */
export const ALL_ENTITIES = [ApiKeyEntity, SlotEntity, CampaignEntity, CreativeEntity, DeliveryPolicyEntity, AuditLogEntity, ...AUDIENCE_ENTITIES];
