import type { Decided } from '../../engine/policy/decide';
import type { ServedAd } from '../../engine/policy/finalize-decision';
import type { DecisionLogRow } from './decision-log';

type Context = Readonly<Record<string, string | number | boolean>>;

/**
 * The request's context as logged. Object.assign, not { ...context, appVersion }: on Node 20 a
 * spread followed by a property the source lacks takes V8's slow path and makes a fresh hidden
 * class (see finalizeDecision).
 */
export function loggedContext(context: Context, appVersion: string | undefined): Record<string, unknown> {
  return appVersion ? Object.assign({}, context, { appVersion }) : context;
}

/** One object for every row of a decision: the log encodes a decision's shared features once. */
export type LoggedFeatures = {
  readonly user: Readonly<Record<string, unknown>> | null;
  readonly context: Context;
};

/**
 * The decision-log row of one served ad; `probability` is the one its tracking link carries. The
 * listener, platform and time are the selection's, the model version the scorer's answer's.
 */
export function decisionLogRow(decided: Decided, ad: ServedAd, decisionId: string, probability: number, configVersion: number, context: Record<string, unknown>, features: LoggedFeatures): DecisionLogRow {
  const { slot, branch, arm } = decided.selection;
  return {
    decisionId,
    createdAtMs: decided.selection.nowMs,
    userId: decided.selection.userId,
    slotId: slot.id,
    platform: decided.selection.platform,
    campaignId: ad.campaign.id,
    creativeId: ad.creative.id,
    branch: branch.name,
    method: branch.method,
    arm: arm?.modelId ?? null,
    armProbability: arm?.probability ?? null,
    fallback: decided.ranking.fallback?.reason ?? null,
    propensity: probability,
    score: ad.score,
    position: ad.slotPosition,
    explored: ad.isExplored,
    configVersion,
    modelVersion: decided.model?.version ?? null,
    context,
    features,
  };
}
