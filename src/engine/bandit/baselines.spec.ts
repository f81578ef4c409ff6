import { Rng } from '../util/rng';
import { ucb1Select, uniformSelect } from './baselines';

describe('ucb1Select', () => {
  // Hand-computed: total 12 → arm0 0.5 + √(2 ln 12 / 10) = 1.205, arm1 0.5 + √(2 ln 12 / 2) = 2.076.
  // With 100 pending pulls on arm1: total 112 → arm0 0.5 + √(2 ln 112 / 10) = 1.472, arm1 0.5 + √(2 ln 112 / 102) = 0.804.
  it.each([
    ['unpulled arm first', [{ successes: 5, trials: 10 }, { successes: 0, trials: 0 }], 1],
    ['larger radius wins', [{ successes: 5, trials: 10 }, { successes: 1, trials: 2 }], 1],
    ['pending pulls shrink the radius', [{ successes: 5, trials: 10 }, { successes: 1, trials: 2, pendingTrials: 100 }], 0],
    ['higher mean wins at equal counts', [{ successes: 10, trials: 100 }, { successes: 20, trials: 100 }], 1],
    ['pending-only arm is not unpulled', [{ successes: 5, trials: 10 }, { successes: 0, trials: 0, pendingTrials: 1000 }], 0],
  ])('%s', (_name, arms, expected) => {
    expect(ucb1Select(arms)).toBe(expected);
  });
});

describe('uniformSelect', () => {
  it.each([
    [0, 4, 0],
    [0.2499, 4, 0],
    [0.25, 4, 1],
    [0.9999999, 4, 3],
  ])('u=%d over %d arms → %d', (u, k, expected) => {
    const rng: Rng = { next: () => u };
    expect(uniformSelect(k, rng)).toBe(expected);
  });
});
