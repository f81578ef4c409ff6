import { Module } from '@nestjs/common';
import { FeedbackSettings } from './feedback-settings';
import { LabelSweepRepository } from './label-sweep.repository';
import { LabelSweeper } from './label-sweeper.service';
import { LabelledExampleBus } from './labelled-example-bus';
import { LabelledExamplesRepository } from './labelled-examples.repository';
import { LearningLease } from './learning-lease.service';

/**
 * Labels: closes attribution windows into labelled examples (on the worker holding the learning
 * lease) and hands them to the learners through LabelledExampleBus.
 */
@Module({
  providers: [FeedbackSettings, LabelSweepRepository, LabelSweeper, LabelledExampleBus, LabelledExamplesRepository, LearningLease],
  exports: [FeedbackSettings, LabelSweeper, LabelledExampleBus, LabelledExamplesRepository, LearningLease],
})
export class LabelsModule {}
