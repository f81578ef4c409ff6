import { Module } from '@nestjs/common';
import { AuditModule } from '../audit';
import { CampaignsController, CreativesController, SlotsController } from './catalog.controller';
import { CatalogRepository } from './catalog.repository';
import { ConfigService } from './catalog.service';

/** What operators configure: slots, campaigns, creatives and each slot's delivery policy. */
@Module({
  imports: [AuditModule],
  controllers: [SlotsController, CampaignsController, CreativesController],
  providers: [CatalogRepository, ConfigService],
  exports: [CatalogRepository, ConfigService],
})
export class CatalogModule {}
