// The public surface of the labels module: other modules import only from here.
// Attribution windows closed into labelled examples for the learners.
export { FeedbackSettings } from './feedback-settings';
export { LabelSweeper } from './label-sweeper.service';
export { LabelledExampleBus, type LabelledExample } from './labelled-example-bus';
export { LabelledExamplesRepository, type LabelledCursor } from './labelled-examples.repository';
export { LabelsModule } from './labels.module';
export { LearningLease } from './learning-lease.service';
