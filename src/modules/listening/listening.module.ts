import { Module } from '@nestjs/common';
import { PackageRepository } from '../audiences/package.repository';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { ListeningController } from './listening.controller';
import { ListeningImportService } from './listening-import.service';
import { ListeningJobsService } from './listening-jobs.service';
import { ListeningRepository } from './listening.repository';
import { ListeningService } from './listening.service';
import { ListeningStateService } from './listening-state.service';

/**
 * Listening data (plays, item metadata), item-CF and item2vec training on the worker, the CF
 * cold-start scorer of the decision path, the similar-items view and lookalike packages.
 * PackageRepository is stateless raw SQL over the audiences module's package tables; this module
 * writes lookalike versions through it the same way PackageService writes the other kinds.
 */
@Module({
  imports: [DeliveryModule, CampaignsModule],
  controllers: [ListeningController],
  providers: [ListeningRepository, ListeningImportService, ListeningStateService, ListeningService, ListeningJobsService, PackageRepository],
  exports: [ListeningImportService, ListeningStateService],
})
export class ListeningModule {}
