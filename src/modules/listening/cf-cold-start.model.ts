import { borrowedCtr, campaignAffinity, campaignSetSimilarity, type SimilarCampaign } from '../../engine/cf/campaign-similarity';
import type { CompiledCampaign } from '../../engine/policy/snapshot';
import { ExplainedScores, type CandidateModel, type ScoringInput } from '../delivery';
import type { ListeningState } from './listening-state.service';

/** Profile attributes that count as a listener's taste tags for the cold-start threshold. */
const TAG_ATTRIBUTES = ['genres', 'artists', 'languages'] as const;

export function listenerTagCount(profile: Readonly<Record<string, unknown>> | null): number {
  if (!profile) return 0;
  let n = 0;
  for (const attr of TAG_ATTRIBUTES) {
    const v = profile[attr];
    if (Array.isArray(v)) n += v.length;
  }
  return n;
}

export interface ColdStartDeps {
  state(): ListeningState;
  feedback(): ReadonlyMap<string, { impressions: number; clicks: number }>;
  /** The warm model by id, when this node has it. */
  model(modelId: string): CandidateModel | undefined;
}

/**
 * The `model` method's cold-start scorer, registered under the configured model id (default 'cf').
 * - Listener below the tag threshold (or no warm model on this node): every candidate scores its
 *   item-CF affinity for the listener's history (campaignAffinity over IUF neighbours, in [0, 1];
 *   a ranking score, not a calibrated CTR).
 * - Otherwise the warm model scores, and campaigns below the feedback threshold take the CTR
 *   borrowed from the candidates most like them by their items (campaign-to-campaign similarity)
 *   when there is any to borrow.
 * The returned ExplainedScores say which path ran and why (explain.model).
 */
export class CfColdStartModel implements CandidateModel {
  constructor(
    readonly modelId: string,
    private readonly deps: ColdStartDeps,
  ) {}

  get version(): string {
    const s = this.deps.state();
    return `cf-v${s.cf?.version ?? 0}`;
  }

  score(input: ScoringInput, candidates: readonly CompiledCampaign[]): ExplainedScores | Promise<ExplainedScores> {
    const state = this.deps.state();
    const cf = state.cf;
    if (!cf) throw new Error('no CF model has been trained yet (POST /v1/listening/train)');
    const settings = state.coldStart;
    const feedback = this.deps.feedback();
    const tags = listenerTagCount(input.profile);
    const history = state.historyByUserKey.get(input.userId) ?? [];
    const impressionsOf = (c: CompiledCampaign) => feedback.get(c.id)?.impressions ?? 0;
    const coldCampaigns = candidates.filter((c) => impressionsOf(c) < settings.minCampaignImpressions).map((c) => c.id);
    const warm = settings.warmModelId ? this.deps.model(settings.warmModelId) : undefined;
    const coldListener = tags < settings.minListenerTags;

    if (coldListener || !warm) {
      const reason = coldListener
        ? `cold listener: ${tags} profile tag(s), below the threshold of ${settings.minListenerTags}`
        : settings.warmModelId
          ? `warm model ${settings.warmModelId} is not loaded on this node`
          : 'no warm model configured';
      const affinity: Record<string, number> = {};
      const entries = candidates.map((c): [string, number] => {
        const a = campaignAffinity(cf.iuf, history, state.campaignItems(c));
        affinity[c.id] = a;
        return [c.id, a];
      });
      return new ExplainedScores(entries, {
        scorer: 'cf',
        modelId: this.modelId,
        version: cf.version,
        reason,
        listenerTags: tags,
        listenerItems: history.length,
        ...(history.length === 0 ? { note: 'listener has no listening history: every affinity is 0, priority decides' } : {}),
        affinity,
      });
    }

    const mix = (warmScores: Map<string, number>): ExplainedScores => {
      const cold = new Set(coldCampaigns);
      const borrowed: Record<string, { ctr: number; weight: number; from: SimilarCampaign[] }> = {};
      const out = new Map(warmScores);
      for (const c of candidates) {
        if (!cold.has(c.id)) continue;
        const mine = state.campaignItems(c);
        const similar: SimilarCampaign[] = candidates
          .filter((o) => !cold.has(o.id))
          .map((o) => ({ campaignId: o.id, sim: campaignSetSimilarity(cf.iuf, mine, state.campaignItems(o)) }))
          .filter((s) => s.sim > 0);
        const prior = borrowedCtr(similar, feedback);
        if (prior.weight > 0) {
          out.set(c.id, prior.ctr);
          borrowed[c.id] = { ...prior, from: similar };
        }
      }
      return new ExplainedScores(out, {
        scorer: Object.keys(borrowed).length > 0 ? `${warm.modelId}+cf` : warm.modelId,
        modelId: this.modelId,
        version: cf.version,
        reason: `listener has ${tags} profile tag(s); scored by ${warm.modelId}${Object.keys(borrowed).length > 0 ? ', campaigns with little feedback borrow the CTR of similar campaigns (item-CF)' : ''}`,
        coldCampaigns,
        borrowed,
      });
    };
    const warmResult = warm.score(input, candidates);
    return warmResult instanceof Map ? mix(warmResult) : warmResult.then(mix);
  }
}
