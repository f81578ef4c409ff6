// The public surface of the catalog module: other modules import only from here.
// Slots, campaigns, creatives and delivery policies: what operators configure.
export { PLATFORMS, type CreateCampaignDto, type CreateSlotDto, type PutPolicyDto } from './catalog.dto';
export { CATALOG_ENTITIES, CampaignEntity, CreativeEntity, DeliveryPolicyEntity, SlotEntity } from './catalog.entities';
export { CatalogModule } from './catalog.module';
export { CatalogRepository } from './catalog.repository';
export { ConfigService } from './catalog.service';
