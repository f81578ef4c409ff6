import type { Decided } from '../../engine/policy/decide';
import type { ServedAd } from '../../engine/policy/finalize-decision';
import type { SelectionResult } from '../../engine/policy/select-branch';
import type { TrackingTokens } from '../../engine/tracking/tracking-token';

/** One ad of a POST /v1/decisions response. */
export interface ServedAdView {
  decisionId: string;
  campaignId: string;
  campaignName: string;
  creative: { id: string; type: string; title: string; assetUrl: string | null; landingUrl: string };
  branch: string;
  method: string;
  arm?: string;
  probability: number;
  position: number;
  explored: boolean;
  trackingUrls: { impression: string; click: string; conversion: string; skip: string };
}

export interface ExplainView {
  branch: string | null;
  method: string | null;
  arm: { modelId: string; probability: number } | null;
  fallback: { to: 'priority'; reason: string } | null;
  exploration: { campaignId: string; probability: number } | null;
  dropped: { campaignId: string; reason: string }[];
  funnel: { candidates: number; eligible: number; inAudience: number; underCaps: number; chosen: number };
  /** What the scoring model reported about this decision (e.g. the CF cold-start scorer and why); set by models returning ExplainedScores. */
  model?: Readonly<Record<string, unknown>>;
}

/** The response of POST /v1/decisions. */
export interface DecisionView {
  slotId: string;
  slotKey: string;
  snapshotVersion: number;
  ads: ServedAdView[];
  fallback: { to: 'priority'; reason: string } | null;
  explain?: ExplainView;
}

/** The response when no branch matched the listener: no ads, and (explain) every candidate's drop. */
export function noBranchView(selection: Extract<SelectionResult, { kind: 'no_branch' }>, snapshotVersion: number, explain: boolean | undefined): DecisionView {
  return {
    slotId: selection.slot.id,
    slotKey: selection.slot.key,
    snapshotVersion,
    ads: [],
    fallback: null,
    ...(explain
      ? { explain: { branch: null, method: null, arm: null, fallback: null, exploration: null, dropped: [...selection.dropped], funnel: { candidates: selection.funnel.candidates, eligible: selection.funnel.eligible, inAudience: selection.funnel.inAudience, underCaps: 0, chosen: 0 } } }
      : {}),
  };
}

/** The response of a decision that got to the counters; `ads` are the served ads' views, in order. */
export function decidedView(decided: Decided, ads: ServedAdView[], snapshotVersion: number, explain: boolean | undefined, modelExplain: Readonly<Record<string, unknown>> | null): DecisionView {
  const { selection, ranking, decision } = decided;
  const { branch, arm } = selection;
  return {
    slotId: selection.slot.id,
    slotKey: selection.slot.key,
    snapshotVersion,
    ads,
    fallback: ranking.fallback,
    ...(explain
      ? {
          explain: {
            branch: branch.name,
            method: branch.method,
            arm: arm ? { modelId: arm.modelId, probability: arm.probability } : null,
            fallback: ranking.fallback,
            exploration: ranking.exploration,
            dropped: decision.explain().map((d) => ({ campaignId: d.campaignId, reason: d.reason })),
            funnel: { ...decision.funnel },
            ...(modelExplain ? { model: modelExplain } : {}),
          },
        }
      : {}),
  };
}

/** One served ad's view: `probability` is the ranking propensity times the creative's (what the link and the log carry). */
export function servedAdView(decided: Decided, ad: ServedAd, decisionId: string, probability: number, trackingUrls: ServedAdView['trackingUrls']): ServedAdView {
  const { branch, arm } = decided.selection;
  return {
    decisionId,
    campaignId: ad.campaign.id,
    campaignName: ad.campaign.name,
    creative: { id: ad.creative.id, type: ad.creative.type, title: ad.creative.title, assetUrl: ad.creative.assetUrl, landingUrl: ad.creative.landingUrl },
    branch: branch.name,
    method: branch.method,
    ...(arm ? { arm: arm.modelId } : {}),
    probability,
    position: ad.slotPosition,
    explored: ad.isExplored,
    trackingUrls,
  };
}

/** The ad's four tracking links, each with the token that fires only its own event type. */
export function trackingUrls(baseUrl: string, tokens: TrackingTokens): ServedAdView['trackingUrls'] {
  return {
    impression: `${baseUrl}/v1/t/impression?t=${tokens.impression}`,
    click: `${baseUrl}/v1/t/click?t=${tokens.click}`,
    conversion: `${baseUrl}/v1/t/conversion?t=${tokens.conversion}`,
    skip: `${baseUrl}/v1/t/skip?t=${tokens.skip}`,
  };
}
