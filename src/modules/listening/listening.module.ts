import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences';
import { DeliveryModule } from '../delivery';
import { ReportingModule } from '../reporting';
import { SnapshotModule } from '../snapshot';
import { ListeningController } from './listening.controller';
import { ListeningImportService } from './listening-import.service';
import { ListeningJobsService } from './listening-jobs.service';
import { ListeningRepository } from './listening.repository';
import { ListeningService } from './listening.service';
import { ListeningStateService } from './listening-state.service';

/**
 * Listening data (plays, item metadata), item-CF and item2vec training on the worker, the CF
 * cold-start scorer of the decision path, the similar-items view and lookalike packages, whose
 * versions it writes through the audiences module's package store.
 */
@Module({
  imports: [DeliveryModule, SnapshotModule, AudiencesModule, ReportingModule],
  controllers: [ListeningController],
  providers: [ListeningRepository, ListeningImportService, ListeningStateService, ListeningService, ListeningJobsService],
  exports: [ListeningImportService, ListeningStateService],
})
export class ListeningModule {}
