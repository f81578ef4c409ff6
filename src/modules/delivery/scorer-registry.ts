import { Injectable } from '@nestjs/common';
import type { CompiledCampaign, Platform, Slot } from '../../engine/policy/snapshot';

/** What a model sees of one decision: the listener, the request context and the slot. */
export interface ScoringInput {
  readonly userId: string;
  readonly platform: Platform;
  readonly slot: Slot;
  readonly context: Readonly<Record<string, string | number | boolean>>;
  /** Listener profile attributes, when the listener has a profile. */
  readonly profile: Readonly<Record<string, unknown>> | null;
  readonly nowMs: number;
}

/** A servable model: FTRL weights, an ONNX GBDT, a CF scorer… Returns predicted CTR per campaign id. */
export interface CandidateModel {
  readonly modelId: string;
  readonly version: string;
  score(input: ScoringInput, candidates: readonly CompiledCampaign[]): Map<string, number> | Promise<Map<string, number>>;
}

/**
 * Models this node can score with, by id. The learning modules register and swap them (a swap is
 * one Map assignment); the decision path only reads. A branch naming a model that isn't here
 * falls back to priority and says so.
 */
@Injectable()
export class ScorerRegistry {
  private models = new Map<string, CandidateModel>();

  register(model: CandidateModel): void {
    const next = new Map(this.models);
    next.set(model.modelId, model);
    this.models = next;
  }

  unregister(modelId: string): void {
    const next = new Map(this.models);
    next.delete(modelId);
    this.models = next;
  }

  get(modelId: string): CandidateModel | undefined {
    return this.models.get(modelId);
  }

  list(): CandidateModel[] {
    return [...this.models.values()];
  }
}

/** Bandit allocations per branch key ("<slotId>:<branch>"), set by the bandit module; empty → uniform over arms. */
@Injectable()
export class BanditAllocations {
  private weights: ReadonlyMap<string, readonly { modelId: string; weight: number }[]> = new Map();

  current(): ReadonlyMap<string, readonly { modelId: string; weight: number }[]> {
    return this.weights;
  }

  replace(weights: ReadonlyMap<string, readonly { modelId: string; weight: number }[]>): void {
    this.weights = weights;
  }
}

/**
 * Scores that carry a note for `explain` (which scorer ran and why, e.g. the CF cold-start
 * scorer): a model may return this instead of a plain Map and the decision path shows `explain`
 * under explain.model.
 */
export class ExplainedScores extends Map<string, number> {
  constructor(
    entries: Iterable<readonly [string, number]>,
    readonly explain: Readonly<Record<string, unknown>>,
  ) {
    super(entries);
  }
}
