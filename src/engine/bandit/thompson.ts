import { beta, Rng } from '../util/rng';

/** Evidence for one arm (a model in a bandit branch). A success is whatever the caller rewards (click, conversion). */
export interface ArmStats {
  id: string;
  /** Rewarded trials; may be fractional after discounting. 0 <= successes <= trials. */
  successes: number;
  trials: number;
  /** Minimum traffic share for this arm; falls back to params.floor. */
  floor?: number;
}

export interface ArmWeight {
  id: string;
  weight: number;
}

export interface BanditParams {
  /** Default minimum share per arm, in [0, 1]; the sum of all arms' floors must be <= 1. */
  floor: number;
  /** Until every arm has this many trials, the allocation is uniform (then floors). */
  warmupTrials: number;
  /** Monte-Carlo posterior draws used to estimate P(arm is best). */
  monteCarloDraws: number;
  /** γ in (0, 1]: counts are multiplied by γ at each reweight step (see discountStats); 1 = no forgetting. */
  discount: number;
  /** Minimum time between two reweights (see shouldReweight). */
  reweightIntervalMs: number;
}

export const DEFAULT_BANDIT_PARAMS: BanditParams = Object.freeze({
  floor: 0.05,
  warmupTrials: 200,
  monteCarloDraws: 2000,
  discount: 1,
  reweightIntervalMs: 10 * 60 * 1000,
});

export type AllocationResult =
  | {
      kind: 'ok';
      /** Traffic shares after floors, in input order; sum to 1; every weight >= its arm's floor. */
      weights: ArmWeight[];
      /** Estimated P(best) before floors (uniform while warming up). */
      winProbabilities: ArmWeight[];
      isWarmingUp: boolean;
    }
  | { kind: 'invalid'; reason: string };

function floorOf(arm: ArmStats, params: Pick<BanditParams, 'floor'>): number {
  return arm.floor ?? params.floor;
}

/**
 * Imposes per-arm minimum shares on a probability vector by water-filling: arms whose scaled share
 * would fall below their floor are pinned exactly at the floor, and the remaining mass is split among
 * the other arms in proportion to their original probabilities (repeated until stable, <= K rounds).
 * Preconditions: probabilities >= 0, floors >= 0 with sum <= 1. Output sums to 1.
 */
export function applyFloors(probabilities: readonly number[], floors: readonly number[]): number[] {
  const k = probabilities.length;
  const isPinned = new Array<boolean>(k).fill(false);
  const weights = new Array<number>(k).fill(0);
  for (;;) {
    let pinnedMass = 0;
    let freeProbability = 0;
    let freeCount = 0;
    for (let i = 0; i < k; i++) {
      if (isPinned[i]) pinnedMass += floors[i];
      else {
        freeProbability += probabilities[i];
        freeCount++;
      }
    }
    if (freeCount === 0) {
      // Only reachable when the floors sum to 1 (up to rounding): the floors are the allocation.
      for (let i = 0; i < k; i++) weights[i] = floors[i] / pinnedMass;
      return weights;
    }
    const remaining = Math.max(0, 1 - pinnedMass);
    let isChanged = false;
    for (let i = 0; i < k; i++) {
      if (isPinned[i]) {
        weights[i] = floors[i];
        continue;
      }
      weights[i] = freeProbability > 0 ? (probabilities[i] * remaining) / freeProbability : remaining / freeCount;
      if (weights[i] < floors[i]) {
        isPinned[i] = true;
        isChanged = true;
      }
    }
    if (!isChanged) return weights;
  }
}

/**
 * Thompson-sampling allocation (Thompson 1933; as "probability matching" for traffic splitting,
 * Scott 2010): each arm's reward rate has posterior Beta(1 + successes, 1 + trials − successes);
 * its share is P(arm is best), estimated with params.monteCarloDraws joint posterior draws from rng.
 * While any arm has fewer than params.warmupTrials trials the shares are uniform. Floors are then
 * applied exactly by applyFloors. Invalid stats or floors come back as { kind: 'invalid' }.
 */
export function computeAllocation(arms: readonly ArmStats[], params: BanditParams, rng: Rng): AllocationResult {
  const k = arms.length;
  if (k === 0) return { kind: 'invalid', reason: 'no arms' };
  if (new Set(arms.map((a) => a.id)).size !== k) return { kind: 'invalid', reason: 'duplicate arm ids' };
  let floorSum = 0;
  for (const arm of arms) {
    if (!(arm.trials >= 0 && arm.successes >= 0 && arm.successes <= arm.trials && Number.isFinite(arm.trials))) {
      return { kind: 'invalid', reason: `arm ${arm.id}: need 0 <= successes <= trials` };
    }
    const floor = floorOf(arm, params);
    if (!(floor >= 0 && floor <= 1)) return { kind: 'invalid', reason: `arm ${arm.id}: floor must be in [0, 1]` };
    floorSum += floor;
  }
  if (floorSum > 1 + 1e-12) return { kind: 'invalid', reason: `floors sum to ${floorSum} > 1` };
  if (!(Number.isInteger(params.monteCarloDraws) && params.monteCarloDraws >= 1)) return { kind: 'invalid', reason: 'monteCarloDraws must be a positive integer' };

  const isWarmingUp = arms.some((a) => a.trials < params.warmupTrials);
  const probabilities = new Array<number>(k).fill(0);
  if (isWarmingUp || k === 1) {
    probabilities.fill(1 / k);
  } else {
    const wins = new Array<number>(k).fill(0);
    for (let d = 0; d < params.monteCarloDraws; d++) {
      let best = 0;
      let bestDraw = -1;
      for (let i = 0; i < k; i++) {
        const draw = beta(rng, 1 + arms[i].successes, 1 + arms[i].trials - arms[i].successes);
        if (draw > bestDraw) {
          bestDraw = draw;
          best = i;
        }
      }
      wins[best]++;
    }
    for (let i = 0; i < k; i++) probabilities[i] = wins[i] / params.monteCarloDraws;
  }
  const weights = applyFloors(
    probabilities,
    arms.map((a) => floorOf(a, params)),
  );
  return {
    kind: 'ok',
    weights: arms.map((a, i) => ({ id: a.id, weight: weights[i] })),
    winProbabilities: arms.map((a, i) => ({ id: a.id, weight: probabilities[i] })),
    isWarmingUp,
  };
}

/**
 * Forgets old evidence: successes and trials multiplied by discount^steps (γ in (0, 1]), so the
 * posterior tracks drifting reward rates; apply once per elapsed reweight step.
 */
export function discountStats(arms: readonly ArmStats[], discount: number, steps = 1): ArmStats[] {
  const factor = discount ** steps;
  return arms.map((a) => ({ ...a, successes: a.successes * factor, trials: a.trials * factor }));
}

/** True when a reweight is due: never reweighted, or at least reweightIntervalMs since the last one. */
export function shouldReweight(lastReweightMs: number | null, nowMs: number, reweightIntervalMs: number): boolean {
  return lastReweightMs === null || nowMs - lastReweightMs >= reweightIntervalMs;
}

export type ArmPick = { kind: 'picked'; id: string; probability: number } | { kind: 'empty' };

/**
 * Draws one arm with probability proportional to its weight (weights need not be normalised) using one
 * rng.next(). The returned probability is the normalised weight: log it as the propensity for IPS.
 */
export function pickArm(weights: readonly ArmWeight[], rng: Rng): ArmPick {
  let total = 0;
  for (const w of weights) if (w.weight > 0) total += w.weight;
  if (!(total > 0)) return { kind: 'empty' };
  const target = rng.next() * total;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < weights.length; i++) {
    if (!(weights[i].weight > 0)) continue;
    last = i;
    cumulative += weights[i].weight;
    if (target < cumulative) return { kind: 'picked', id: weights[i].id, probability: weights[i].weight / total };
  }
  // Rounding can leave target == cumulative at the end; the last positive arm owns that point.
  return { kind: 'picked', id: weights[last].id, probability: weights[last].weight / total };
}
