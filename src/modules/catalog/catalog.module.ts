import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences';
import { AuditModule } from '../audit';
import { CampaignService } from './campaign.service';
import { CampaignsController } from './campaigns.controller';
import { CatalogRepository } from './catalog.repository';
import { CreativeService } from './creative.service';
import { CreativesController } from './creatives.controller';
import { PoliciesController } from './policies.controller';
import { PolicyService } from './policy.service';
import { SlotService } from './slot.service';
import { SlotsController } from './slots.controller';
import { TrafficTableService } from './traffic-table.service';

/** What operators configure: slots, campaigns, creatives and each slot's delivery policy. */
@Module({
  imports: [AuditModule, AudiencesModule],
  controllers: [SlotsController, PoliciesController, CampaignsController, CreativesController],
  providers: [CatalogRepository, SlotService, CampaignService, CreativeService, PolicyService, TrafficTableService],
  exports: [CatalogRepository, SlotService, CampaignService, CreativeService, PolicyService],
})
export class CatalogModule {}
