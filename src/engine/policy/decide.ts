import type { CounterStore } from '../caps/counter-store';
import type { Rng } from '../util/rng';
import type { Membership } from './audience-expr';
import { finalizeDecision, type FinalDecision } from './finalize-decision';
import { buildReservePlan, rankCandidates, requiredModel, type CandidateScores, type RankOptions, type Ranking } from './rank-candidates';
import { selectBranch, type BranchSelected, type DecisionRequest, type SelectionResult, type SelectOptions } from './select-branch';
import type { DecisionSnapshot } from './snapshot';

/** A scorer's answer for one decision. */
export interface ModelAnswer {
  /** Predicted CTR per campaign id, or why there are none (the branch then ranks by priority and says why). */
  readonly scores: CandidateScores;
  /** Version of the model that answered, or was asked and failed; null when there was no such model. */
  readonly version: string | null;
  /** What the model reported about this decision (e.g. which cold-start scorer ran), or null. */
  readonly explain: Readonly<Record<string, unknown>> | null;
}

/**
 * Scores the selected branch's candidates with model `modelId` (the branch's model or its drawn arm's).
 * Asked at most once per decision, and only when the branch needs a model (see requiredModel).
 * Answers { scores: { kind: 'unavailable', reason } } rather than throwing when it cannot. The engine
 * has no clock: a caller that bounds a model's time does it in its scorer. A synchronous answer is
 * used without an await, so in-process models cost no extra turn of the event loop.
 */
export interface Scorer<A extends ModelAnswer = ModelAnswer> {
  score(modelId: string, selection: BranchSelected, request: DecisionRequest): A | Promise<A>;
}

export interface DecideOptions extends SelectOptions, RankOptions {
  /** Bounds the candidates handed to the counter store (see buildReservePlan). */
  readonly maxPlanCandidates?: number;
}

/** A decision that got as far as the counters: everything its caller reports, logs or explains. */
export interface Decided<A extends ModelAnswer = ModelAnswer> {
  readonly kind: 'decided';
  /** The slot, the winning branch and arm, its candidates, the selection's drops and the listener. */
  readonly selection: BranchSelected;
  /** Order, propensities, `fallback` (model → priority, and why) and `exploration`. */
  readonly ranking: Ranking;
  /** The ads served, the funnel, and explain() (every candidate not served, and why). */
  readonly decision: FinalDecision;
  /** The scorer's answer (model version and explain included) when the branch asked one; else null. */
  readonly model: A | null;
}

/** Every way a decision ends: the slot is unknown or does not serve the platform, no branch matches, or decided. */
export type DecideResult<A extends ModelAnswer = ModelAnswer> = Exclude<SelectionResult, { kind: 'selected' }> | Decided<A>;

const NO_SCORES: CandidateScores = new Map();
const NO_SCORER: CandidateScores = { kind: 'unavailable', reason: 'no scorer' };
const NO_OPTIONS: DecideOptions = {};

// By `then`, not instanceof Promise: a scorer's promise may come from another realm or library.
function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T>).then === 'function';
}

/**
 * THE decision pipeline, the one every caller runs (the API's DecisionService, embedded mode,
 * simulators, benches, the golden cases): selectBranch → the scorer, when the branch needs a model →
 * rankCandidates → ONE store.reserve of the whole plan → finalizeDecision. Pure apart from the two
 * things passed in that may do I/O, the scorer and the counter store; time (nowMs) and randomness
 * (rng) are passed in too, so a decision replays exactly. What callers add (time budgets for
 * models, metrics, signed links, the decision log) goes around it or into the scorer, never
 * between its phases.
 */
export async function decide<A extends ModelAnswer = ModelAnswer>(
  snapshot: DecisionSnapshot,
  request: DecisionRequest,
  membership: Membership,
  nowMs: number,
  rng: Rng,
  store: CounterStore,
  scorer: Scorer<A> | null,
  options: DecideOptions = NO_OPTIONS,
): Promise<DecideResult<A>> {
  const selection = selectBranch(snapshot, request, membership, nowMs, rng, options);
  if (selection.kind !== 'selected') return selection;
  const modelId = requiredModel(selection);
  let model: A | null = null;
  let scores = NO_SCORES;
  if (modelId !== null) {
    if (scorer === null) scores = NO_SCORER;
    else {
      const answer = scorer.score(modelId, selection, request);
      model = isPromiseLike(answer) ? await answer : answer;
      scores = model.scores;
    }
  }
  const ranking = rankCandidates(selection, scores, rng, options);
  const outcome = await store.reserve(buildReservePlan(ranking, options.maxPlanCandidates));
  return { kind: 'decided', selection, ranking, decision: finalizeDecision(ranking, outcome, rng), model };
}
