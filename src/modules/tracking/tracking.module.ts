import { Module } from '@nestjs/common';
import { LabelsModule } from '../labels';
import { ReportingModule } from '../reporting';
import { SnapshotModule } from '../snapshot';
import { EventIntakeService } from './event-intake.service';
import { EventPartitions } from './event-partitions.service';
import { EventsRepository } from './events.repository';
import { FeedbackWorker } from './feedback-worker.service';
import { TrackingController } from './tracking.controller';

/**
 * Tracking: signed links and event batches in (verified, queued), stored exactly once by the
 * feedback worker with live counters, conversion suppression and goal counters.
 */
@Module({
  imports: [SnapshotModule, LabelsModule, ReportingModule],
  controllers: [TrackingController],
  providers: [EventsRepository, EventIntakeService, FeedbackWorker, EventPartitions],
  exports: [EventsRepository],
})
export class TrackingModule {}
