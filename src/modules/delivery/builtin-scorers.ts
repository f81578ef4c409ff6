import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { CompiledCampaign } from '../../engine/policy/snapshot';
import { type CandidateModel, type ScoringInput, ScorerRegistry } from './scorer-registry';

/** Model id a policy names to rank each candidate by its own automatically built model. */
export const CAMPAIGN_MODELS_ID = 'campaign-models';

/** The registry id of the model a campaign's modeling runs train (GBDT, or GBDT+LR on demand). */
export function campaignModelId(campaignId: string, variant: 'gbdt' | 'gbdt-lr' = 'gbdt'): string {
  return `${variant}-${campaignId}`;
}

/**
 * Automatic modeling trains one model per campaign (gbdt-<campaignId>), each scoring only its own
 * campaign; a model branch over several ads names 'campaign-models' to rank them by those. A
 * candidate without a model yet is unscored (ranked after the scored ones, by priority); while its
 * exploration budget lasts, exploration still gives it traffic, which is what builds its model.
 */
export class CampaignModelsScorer implements CandidateModel {
  readonly modelId = CAMPAIGN_MODELS_ID;
  readonly version = 'per-campaign';

  constructor(private readonly registry: ScorerRegistry) {}

  score(input: ScoringInput, candidates: readonly CompiledCampaign[]): Map<string, number> | Promise<Map<string, number>> {
    const scores = new Map<string, number>();
    const pending: Promise<void>[] = [];
    for (const campaign of candidates) {
      const model = this.registry.get(campaignModelId(campaign.id));
      if (!model) continue;
      const own = model.score(input, [campaign]);
      if (own instanceof Map) keep(scores, campaign.id, own);
      else pending.push(own.then((m) => keep(scores, campaign.id, m)));
    }
    return pending.length === 0 ? scores : Promise.all(pending).then(() => scores);
  }
}

function keep(scores: Map<string, number>, campaignId: string, own: ReadonlyMap<string, number>): void {
  const p = own.get(campaignId);
  if (p !== undefined && Number.isFinite(p)) scores.set(campaignId, p);
}

@Injectable()
export class BuiltinScorers implements OnModuleInit {
  constructor(private readonly registry: ScorerRegistry) {}

  onModuleInit(): void {
    this.registry.register(new CampaignModelsScorer(this.registry));
  }
}
