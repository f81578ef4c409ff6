/** One logged decision: the propensity it was served with, the reward seen, and the target policy's probability of the same choice. */
export interface IpsLog {
  /** Probability with which the logging policy made the logged choice, in (0, 1]. */
  loggedProbability: number;
  /** Observed reward (e.g. 1 click / 0 none); any finite number. */
  reward: number;
  /** Probability with which the evaluated policy would make the logged choice, in [0, 1]. */
  targetProbability: number;
}

export type IpsResult =
  | {
      kind: 'ok';
      /** Inverse propensity scoring: mean of w_i·r_i. */
      ips: number;
      /** Self-normalised IPS: Σ w_i·r_i / Σ w_i (NaN when every weight is 0). */
      snips: number;
      n: number;
      /** Standard error of the IPS mean: sample sd of w_i·r_i / √n (NaN for n = 1). */
      stdErr: number;
      /** How many importance weights hit the cap. */
      clippedCount: number;
      /** Kish effective sample size (Σw)² / Σw²; small values mean a noisy estimate. */
      effectiveSampleSize: number;
    }
  | { kind: 'empty' }
  | { kind: 'invalid'; reason: string; index: number };

/**
 * Off-policy value estimate from logged propensities (Horvitz & Thompson 1952; for bandits e.g.
 * Dudík, Langford & Li 2011; SNIPS: Swaminathan & Joachims 2015). Importance weight
 * w_i = min(targetProbability_i / loggedProbability_i, weightCap); clipping trades bias for variance.
 * Returns the IPS and SNIPS estimates, their sample size and the IPS standard error.
 */
export function ipsEstimate(logs: readonly IpsLog[], weightCap = Infinity): IpsResult {
  if (!(weightCap > 0)) return { kind: 'invalid', reason: 'weightCap must be > 0', index: -1 };
  const n = logs.length;
  if (n === 0) return { kind: 'empty' };
  const weighted = new Float64Array(n);
  let sumWeights = 0;
  let sumSquaredWeights = 0;
  let sumWeighted = 0;
  let clippedCount = 0;
  for (let i = 0; i < n; i++) {
    const { loggedProbability, reward, targetProbability } = logs[i];
    if (!(loggedProbability > 0 && loggedProbability <= 1)) return { kind: 'invalid', reason: 'loggedProbability must be in (0, 1]', index: i };
    if (!(targetProbability >= 0 && targetProbability <= 1)) return { kind: 'invalid', reason: 'targetProbability must be in [0, 1]', index: i };
    if (!Number.isFinite(reward)) return { kind: 'invalid', reason: 'reward must be finite', index: i };
    let w = targetProbability / loggedProbability;
    if (w > weightCap) {
      w = weightCap;
      clippedCount++;
    }
    weighted[i] = w * reward;
    sumWeights += w;
    sumSquaredWeights += w * w;
    sumWeighted += weighted[i];
  }
  const ips = sumWeighted / n;
  let squaredDeviations = 0;
  for (let i = 0; i < n; i++) squaredDeviations += (weighted[i] - ips) ** 2;
  return {
    kind: 'ok',
    ips,
    snips: sumWeights > 0 ? sumWeighted / sumWeights : NaN,
    n,
    stdErr: n > 1 ? Math.sqrt(squaredDeviations / (n - 1)) / Math.sqrt(n) : NaN,
    clippedCount,
    effectiveSampleSize: sumSquaredWeights > 0 ? (sumWeights * sumWeights) / sumSquaredWeights : 0,
  };
}
