export type TargetPolicy = { kind: 'uniform' } | { kind: 'model'; modelId: string } | { kind: 'allocation'; weights: Record<string, number> };

/** One stored allocation of a branch: when it was computed and each arm's normalised share. */
export interface AllocationPoint {
  atMs: number;
  shares: ReadonlyMap<string, number>;
}

/** Normalises stored weights to shares (negative weights count as 0). */
export function toShares(weights: readonly { modelId: string; weight: number }[]): Map<string, number> {
  const total = weights.reduce((s, w) => s + Math.max(0, w.weight), 0);
  return new Map(weights.map((w) => [w.modelId, total > 0 ? Math.max(0, w.weight) / total : 0]));
}

/**
 * Probability with which the logging policy drew `arm` at `atMs`: the share in the newest allocation
 * computed at or before then (history ascending by time), else uniform over `armCount` arms (before the
 * first reweight API nodes draw uniformly).
 */
export function loggedArmProbability(history: readonly AllocationPoint[], atMs: number, arm: string, armCount: number): number {
  let lo = 0;
  let hi = history.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (history[mid].atMs <= atMs) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return armCount > 0 ? 1 / armCount : 0;
  return history[found].shares.get(arm) ?? 0;
}

/** Probability with which the target policy would draw `arm` among the branch's `arms`. */
export function targetArmProbability(target: TargetPolicy, arms: readonly string[], arm: string): number {
  if (!arms.includes(arm)) return 0;
  if (target.kind === 'uniform') return 1 / arms.length;
  if (target.kind === 'model') return arm === target.modelId ? 1 : 0;
  const total = arms.reduce((s, a) => s + (target.weights[a] ?? 0), 0);
  return total > 0 ? (target.weights[arm] ?? 0) / total : 0;
}

/**
 * The target policy's probability of the logged ad: the logged propensity is (arm probability ×
 * in-arm probability) and a policy over arms changes only the first factor.
 */
export function targetPropensity(loggedPropensity: number, loggedArm: number, targetArm: number): number {
  if (!(loggedArm > 0)) return 0;
  return Math.min(1, (loggedPropensity * targetArm) / loggedArm);
}
