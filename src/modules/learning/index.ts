// The public surface of the learning module: other modules import only from here.
// Online learning: FTRL, the bandit allocator and off-policy evaluation.
export { LearningModule } from './learning.module';
