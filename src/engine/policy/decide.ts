import type { CounterStore } from '../caps/counter-store';
import type { Rng } from '../util/rng';
import type { Membership } from './audience-expr';
import { finalizeDecision, type FinalDecision } from './finalize-decision';
import { buildReservePlan, rankCandidates, requiredModel, type CandidateScores, type RankOptions, type Ranking } from './rank-candidates';
import { selectBranch, type DecisionRequest, type SelectionResult, type SelectOptions } from './select-branch';
import type { CompiledCampaign, DecisionSnapshot } from './snapshot';

/** Scores candidates with a model; resolves { kind: 'unavailable' } rather than rejecting when it cannot. */
export type Scorer = (modelId: string, candidates: readonly CompiledCampaign[]) => Promise<CandidateScores>;

export type DecideResult =
  | Exclude<SelectionResult, { kind: 'selected' }>
  | { readonly kind: 'decided'; readonly ranking: Ranking; readonly decision: FinalDecision };

/**
 * All phases in order — selectBranch → (scorer) → rankCandidates → store.reserve (one call) → finalizeDecision —
 * for embedded mode, simulators and benches. The API service may run the phases itself to add time budgets,
 * metrics and a degraded-counter fallback around them.
 */
export async function decide(
  snapshot: DecisionSnapshot,
  request: DecisionRequest,
  membership: Membership,
  nowMs: number,
  rng: Rng,
  store: CounterStore,
  scorer: Scorer | null,
  options: SelectOptions & RankOptions & { readonly maxPlanCandidates?: number } = {},
): Promise<DecideResult> {
  const selection = selectBranch(snapshot, request, membership, nowMs, rng, options);
  if (selection.kind !== 'selected') return selection;
  const modelId = requiredModel(selection);
  let scores: CandidateScores = new Map();
  if (modelId !== null) scores = scorer === null ? { kind: 'unavailable', reason: 'no scorer' } : await scorer(modelId, selection.candidates);
  const ranking = rankCandidates(selection, scores, rng, options);
  const outcome = await store.reserve(buildReservePlan(ranking, options.maxPlanCandidates));
  return { kind: 'decided', ranking, decision: finalizeDecision(ranking, outcome, rng) };
}
