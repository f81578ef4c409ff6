// The public surface of the catalog module: other modules import only from here.
// Slots, campaigns, creatives and delivery policies: what operators configure.
export { type CreateCampaignDto } from './campaign.dto';
export { PLATFORMS } from './catalog.dto';
export { type PutPolicyDto } from './policy.dto';
export { type CreateSlotDto } from './slot.dto';
export { CATALOG_ENTITIES, CampaignEntity, CreativeEntity, DeliveryPolicyEntity, SlotEntity } from './catalog.entities';
export { CatalogModule } from './catalog.module';
export { CatalogRepository } from './catalog.repository';
export { CampaignService } from './campaign.service';
export { CreativeService } from './creative.service';
export { PolicyService } from './policy.service';
export { SlotService } from './slot.service';
