import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences/audiences.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { EventIntakeService } from './event-intake.service';
import { EventPartitions } from './event-partitions.service';
import { EventsRepository } from './events.repository';
import { FeedbackController } from './feedback.controller';
import { FeedbackClock, FeedbackSettings } from './feedback-settings';
import { FeedbackWorker } from './feedback-worker.service';
import { LabelSweeper } from './label-sweeper.service';
import { LabelledExampleBus } from './labelled-example-bus';
import { LabelledExamplesRepository } from './labelled-examples.repository';
import { LearningLease } from './learning-lease.service';
import { LiveStatsRecorder } from './live-stats.recorder';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { StatsRepository } from './stats.repository';
import { TrackingController } from './tracking.controller';

/**
 * Feedback: tracking events in (verified, queued), stored exactly once by the feedback worker with
 * live counters, conversion suppression and goal counters; labelled examples; reports and the live page.
 * Exports LiveStatsRecorder (decision path), LabelledExampleBus and LearningLease (learning).
 */
@Module({
  imports: [CampaignsModule, AudiencesModule],
  controllers: [TrackingController, ReportsController, FeedbackController],
  providers: [
    FeedbackClock,
    FeedbackSettings,
    StatsRepository,
    EventsRepository,
    LiveStatsRecorder,
    EventIntakeService,
    FeedbackWorker,
    LabelSweeper,
    LabelledExampleBus,
    LabelledExamplesRepository,
    LearningLease,
    EventPartitions,
    ReportsService,
  ],
  exports: [LiveStatsRecorder, LabelledExampleBus, LabelledExamplesRepository, LearningLease, FeedbackClock, FeedbackSettings],
})
export class FeedbackModule {}
