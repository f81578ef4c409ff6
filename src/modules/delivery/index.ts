// The public surface of the delivery module: other modules import only from here.
// Decisions: the hot path, the decision log and the scorer registry.
export { campaignModelId } from './builtin-scorers';
export { DecisionController, DecisionRequestPipe } from './decision.controller';
export { DeliveryModule } from './delivery.module';
export { DELIVERY_JOBS } from './jobs';
export { BanditAllocations, ExplainedScores, ScorerRegistry, type CandidateModel, type ScoringInput } from './scorer-registry';
