import { Rng } from '../util/rng';

export interface UcbArm {
  /** Observed rewards and pulls (feedback received so far). */
  successes: number;
  trials: number;
  /** Pulls made but not yet observed (delayed feedback); they shrink the radius only. */
  pendingTrials?: number;
}

/**
 * UCB1 (Auer, Cesa-Bianchi & Fischer 2002): index = mean + sqrt(2 ln t / n). Returns the arm index to
 * pull; any arm never pulled comes first. t = total pulls (observed + pending), n = the arm's pulls
 * (observed + pending); the mean uses observed rewards only (0.5 before any feedback).
 */
export function ucb1Select(arms: readonly UcbArm[]): number {
  let total = 0;
  for (const a of arms) total += a.trials + (a.pendingTrials ?? 0);
  let best = 0;
  let bestIndex = -Infinity;
  for (let i = 0; i < arms.length; i++) {
    const pulls = arms[i].trials + (arms[i].pendingTrials ?? 0);
    if (pulls === 0) return i;
    const mean = arms[i].trials > 0 ? arms[i].successes / arms[i].trials : 0.5;
    const index = mean + Math.sqrt((2 * Math.log(total)) / pulls);
    if (index > bestIndex) {
      bestIndex = index;
      best = i;
    }
  }
  return best;
}

/** Uniform random arm index in [0, armCount). */
export function uniformSelect(armCount: number, rng: Rng): number {
  return Math.min(armCount - 1, Math.floor(rng.next() * armCount));
}
