import { loggedArmProbability, type TargetPolicy, targetArmProbability, targetPropensity, toShares } from './ips-weights';

const history = [
  { atMs: 1000, shares: toShares([{ modelId: 'a', weight: 0.5 }, { modelId: 'b', weight: 0.5 }]) },
  { atMs: 2000, shares: toShares([{ modelId: 'a', weight: 3 }, { modelId: 'b', weight: 1 }]) },
  { atMs: 3000, shares: toShares([{ modelId: 'a', weight: 0.9 }, { modelId: 'b', weight: 0.1 }]) },
];

describe('loggedArmProbability', () => {
  it.each([
    ['before the first reweight: uniform', 999, 'a', 2, 0.5],
    ['before the first reweight with 4 arms', 0, 'b', 4, 0.25],
    ['exactly at a reweight', 2000, 'a', 2, 0.75],
    ['between reweights: the older one', 2999, 'b', 2, 0.25],
    ['after the last reweight', 10_000, 'a', 2, 0.9],
    ['an arm missing from the allocation', 10_000, 'c', 3, 0],
  ])('%s', (_name, atMs, arm, armCount, expected) => {
    expect(loggedArmProbability(history, atMs, arm, armCount)).toBeCloseTo(expected, 12);
  });

  it('is uniform with no history at all', () => {
    expect(loggedArmProbability([], 5, 'x', 5)).toBe(0.2);
  });
});

describe('targetArmProbability', () => {
  const arms = ['ftrl-main', 'random'];
  it.each<[string, TargetPolicy, string, number]>([
    ['uniform', { kind: 'uniform' }, 'random', 0.5],
    ['model: its own arm', { kind: 'model', modelId: 'ftrl-main' }, 'ftrl-main', 1],
    ['model: another arm', { kind: 'model', modelId: 'ftrl-main' }, 'random', 0],
    ['allocation, normalised', { kind: 'allocation', weights: { 'ftrl-main': 3, random: 1 } }, 'ftrl-main', 0.75],
    ['allocation, arm absent from weights', { kind: 'allocation', weights: { 'ftrl-main': 1 } }, 'random', 0],
    ['allocation ignores arms outside the branch', { kind: 'allocation', weights: { 'ftrl-main': 1, other: 3 } }, 'ftrl-main', 1],
    ['an arm outside the branch', { kind: 'uniform' }, 'gbdt', 0],
  ])('%s', (_name, target, arm, expected) => {
    expect(targetArmProbability(target, arms, arm)).toBeCloseTo(expected, 12);
  });
});

describe('targetPropensity', () => {
  it.each([
    // logged 0.3 = arm 0.6 × in-arm 0.5; a target sending all traffic to the arm gives 1 × 0.5
    [0.3, 0.6, 1, 0.5],
    [0.3, 0.6, 0, 0],
    [0.3, 0.6, 0.6, 0.3],
    [0.1, 0, 1, 0],
    // never above 1, even from inconsistent inputs
    [0.9, 0.5, 1, 1],
  ])('logged %p with arm %p, target arm %p → %p', (logged, loggedArm, targetArm, expected) => {
    expect(targetPropensity(logged, loggedArm, targetArm)).toBeCloseTo(expected, 12);
  });
});
