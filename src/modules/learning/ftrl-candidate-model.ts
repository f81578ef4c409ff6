import { buildCandidateFeatures, DEFAULT_FEATURE_SPEC, type FeatureInput, type FeatureSpec, prepareRequestFeatures } from '../../engine/features/build-features';
import type { FtrlScorer } from '../../engine/ftrl/ftrl-scorer';
import type { CompiledCampaign } from '../../engine/policy/snapshot';
import type { CandidateModel, ScoringInput } from '../delivery';

/** The campaign half of the features, shared by training and scoring. */
export function campaignFeatureInput(campaign: CompiledCampaign | { id: string }): FeatureInput['campaign'] {
  return campaign as FeatureInput['campaign'];
}

/** The listener/context half, shared by training (from the decision log's features) and scoring. */
export function requestFeatureInput(user: Record<string, unknown> | null | undefined, context: Record<string, unknown> | null | undefined) {
  return { user: (user ?? {}) as FeatureInput['user'], context: (context ?? {}) as FeatureInput['context'] };
}

/** Serves one FTRL weights version: predicted CTR per candidate, features built as in training. */
export class FtrlCandidateModel implements CandidateModel {
  constructor(
    readonly modelId: string,
    readonly version: string,
    private readonly scorer: FtrlScorer,
    private readonly spec: FeatureSpec = DEFAULT_FEATURE_SPEC,
  ) {}

  score(input: ScoringInput, candidates: readonly CompiledCampaign[]): Map<string, number> {
    const { user, context } = requestFeatureInput(input.profile, input.context);
    const prepared = prepareRequestFeatures(user, context, this.spec);
    const scores = new Map<string, number>();
    for (const campaign of candidates) scores.set(campaign.id, this.scorer.predict(buildCandidateFeatures(prepared, campaignFeatureInput(campaign))));
    return scores;
  }
}
