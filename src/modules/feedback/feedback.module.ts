import { Module } from '@nestjs/common';
import { LiveStatsRecorder } from './live-stats.recorder';
import { StatsRepository } from './stats.repository';

/**
 * Feedback: tracking events in, exactly once; live counters; labelled examples; reports.
 * Exports LiveStatsRecorder for the decision path.
 */
@Module({
  providers: [StatsRepository, LiveStatsRecorder],
  exports: [LiveStatsRecorder],
})
export class FeedbackModule {}
