import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences';
import { SnapshotModule } from '../snapshot';
import { DeadLettersRepository } from './dead-letters.repository';
import { FeedbackController } from './feedback.controller';
import { LiveStatsRecorder } from './live-stats.recorder';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { StatsRepository } from './stats.repository';

/** Delivery reports, live stats (recorded by decisions and events), the live page and dead letters. */
@Module({
  imports: [SnapshotModule, AudiencesModule],
  controllers: [ReportsController, FeedbackController],
  providers: [StatsRepository, DeadLettersRepository, LiveStatsRecorder, ReportsService],
  exports: [LiveStatsRecorder, StatsRepository, DeadLettersRepository],
})
export class ReportingModule {}
