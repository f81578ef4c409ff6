import { Module } from '@nestjs/common';
import { AuditController } from '../audit/audit.controller';
import { AuditService } from '../audit/audit.service';
import { SnapshotController } from '../delivery/snapshot.controller';
import { SnapshotService } from '../delivery/snapshot.service';
import { CampaignsController, CreativesController, SlotsController } from './config.controller';
import { ConfigRepository } from './config.repository';
import { ConfigService } from './config.service';

@Module({
  controllers: [SlotsController, CampaignsController, CreativesController, AuditController, SnapshotController],
  providers: [ConfigRepository, ConfigService, AuditService, SnapshotService],
  exports: [ConfigRepository, ConfigService, AuditService, SnapshotService],
})
export class CampaignsModule {}
