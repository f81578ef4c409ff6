import type { ModelAnswer, Scorer } from '../../engine/policy/decide';
import type { CandidateScores } from '../../engine/policy/rank-candidates';
import type { BranchSelected, DecisionRequest } from '../../engine/policy/select-branch';
import { settleWithin } from '../../platform/util/with-timeout';
import { ExplainedScores, type CandidateModel, type ScorerRegistry, type ScoringInput } from './scorer-registry';

/** The answer plus what the model was given: the decision log records those features, so they are read once. */
export interface ScoredAnswer extends ModelAnswer {
  readonly input: ScoringInput;
}

/** What a request without context scores and logs with; shared, never written. */
export const NO_CONTEXT: Readonly<Record<string, string | number | boolean>> = {};

/** Where listener profiles come from (the listener index). */
export interface ProfileSource {
  /** The listener's profile attributes, null without a profile. */
  profile(userId: string): Readonly<Record<string, unknown>> | null;
}

/**
 * The API's scorer for decide(): models from the registry, each within `budgetMs`. A missing,
 * failing or slow model (async and answering late, or sync and computing past the budget) answers
 * 'unavailable' with the reason, and the branch falls back to priority. Time lives here, not in the
 * engine: `clock` measures the model and a timer ends the wait for a late promise. A synchronous
 * model is answered synchronously, with no promise or timer at all.
 */
export class BudgetedScorer implements Scorer<ScoredAnswer> {
  constructor(
    private readonly registry: ScorerRegistry,
    private readonly profiles: ProfileSource,
    private readonly budgetMs: number,
    private readonly clock: () => number = performance.now.bind(performance),
  ) {}

  /** What a model sees of a decision; also what the log records as its features. */
  private scoringInput(selection: BranchSelected, context: Readonly<Record<string, string | number | boolean>>): ScoringInput {
    return { userId: selection.userId, platform: selection.platform, slot: selection.slot, context, profile: this.profiles.profile(selection.userId), nowMs: selection.nowMs };
  }

  score(modelId: string, selection: BranchSelected, request: DecisionRequest): ScoredAnswer | Promise<ScoredAnswer> {
    const input = this.scoringInput(selection, request.context ?? NO_CONTEXT);
    const model = this.registry.get(modelId);
    if (!model) return unavailable(input, `model ${modelId} is not available yet`, null);
    const started = this.clock();
    try {
      const result = model.score(input, selection.candidates);
      if (result instanceof Map) return this.timed(input, modelId, model, result, started);
      return settleWithin(result, this.budgetMs, () => null).then(
        (scores) => (scores === null ? this.late(input, modelId, model) : this.timed(input, modelId, model, scores, started)),
        (error: unknown) => failed(input, modelId, model, error),
      );
    } catch (error) {
      return failed(input, modelId, model, error);
    }
  }

  private timed(input: ScoringInput, modelId: string, model: CandidateModel, scores: Map<string, number>, started: number): ScoredAnswer {
    if (this.clock() - started > this.budgetMs) return this.late(input, modelId, model);
    return { scores, version: model.version, explain: scores instanceof ExplainedScores ? scores.explain : null, input };
  }

  private late(input: ScoringInput, modelId: string, model: CandidateModel): ScoredAnswer {
    return unavailable(input, `model ${modelId} exceeded its ${this.budgetMs} ms budget`, model.version);
  }
}

function unavailable(input: ScoringInput, reason: string, version: string | null): ScoredAnswer {
  const scores: CandidateScores = { kind: 'unavailable', reason };
  return { scores, version, explain: null, input };
}

function failed(input: ScoringInput, modelId: string, model: CandidateModel, error: unknown): ScoredAnswer {
  return unavailable(input, `model ${modelId} failed: ${error instanceof Error ? error.message : String(error)}`, model.version);
}
