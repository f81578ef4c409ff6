import { createRng, Rng } from '../util/rng';
import { applyFloors, ArmStats, BanditParams, computeAllocation, discountStats, pickArm, shouldReweight } from './thompson';

const params: BanditParams = { floor: 0.05, warmupTrials: 100, monteCarloDraws: 1000, discount: 1, reweightIntervalMs: 60_000 };

function fixedRng(value: number): Rng {
  return { next: () => value };
}

/** Brute-force reference for floors: w_i = max(f_i, c·p_i) with c found by bisection so that Σw = 1. */
function floorsByBisection(p: number[], f: number[]): number[] {
  let lo = 0;
  let hi = 1e12;
  for (let iter = 0; iter < 300; iter++) {
    const mid = (lo + hi) / 2;
    const sum = p.reduce((s, pi, i) => s + Math.max(f[i], mid * pi), 0);
    if (sum > 1) hi = mid;
    else lo = mid;
  }
  return p.map((pi, i) => Math.max(f[i], lo * pi));
}

/** P(X_B > X_A) for independent Beta posteriors by numerical integration on a fine grid. */
function probabilityBetter(a: [number, number], b: [number, number]): number {
  const steps = 200_000;
  const logPdf = ([x, y]: [number, number], t: number) => (x - 1) * Math.log(t) + (y - 1) * Math.log(1 - t);
  let normA = 0;
  let normB = 0;
  let cdfA = 0;
  let acc = 0;
  const pdfA: number[] = [];
  const pdfB: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t = (s + 0.5) / steps;
    pdfA.push(Math.exp(logPdf(a, t)));
    pdfB.push(Math.exp(logPdf(b, t)));
    normA += pdfA[s];
    normB += pdfB[s];
  }
  for (let s = 0; s < steps; s++) {
    cdfA += pdfA[s] / 2;
    acc += (pdfB[s] / normB) * (cdfA / normA);
    cdfA += pdfA[s] / 2;
  }
  return acc;
}

describe('applyFloors', () => {
  it.each([
    ['one arm below the floor', [0.7, 0.3, 0], [0.05, 0.05, 0.05], [0.665, 0.285, 0.05]],
    ['a single winner', [1, 0, 0, 0], [0.1, 0.1, 0.1, 0.1], [0.7, 0.1, 0.1, 0.1]],
    ['no floors', [0.5, 0.5], [0, 0], [0.5, 0.5]],
    ['two arms pinned at once', [0.9, 0.08, 0.02], [0.1, 0.1, 0.1], [0.8, 0.1, 0.1]],
    ['a cascade over three rounds', [0.6, 0.3, 0.1, 0], [0.22, 0.22, 0.22, 0.22], [0.34, 0.22, 0.22, 0.22]],
    ['per-arm floors', [0, 1], [0.3, 0], [0.3, 0.7]],
    ['floors summing to one', [1, 0], [0.5, 0.5], [0.5, 0.5]],
    ['all-zero probabilities', [0, 0, 0, 0], [0.1, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]],
  ])('%s', (_name, p, f, expected) => {
    const got = applyFloors(p, f);
    got.forEach((w, i) => expect(w).toBeCloseTo(expected[i], 12));
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('matches the bisection reference on random case %d and pins floors exactly', (seed) => {
    const rng = createRng(seed);
    const k = 2 + Math.floor(rng.next() * 9);
    const raw = Array.from({ length: k }, () => (rng.next() < 0.3 ? 0 : rng.next() ** 3));
    const total = raw.reduce((s, v) => s + v, 0) || 1;
    const p = raw.map((v) => v / total);
    const floorBudget = rng.next();
    const fr = Array.from({ length: k }, () => rng.next());
    const fs = fr.reduce((s, v) => s + v, 0);
    const f = fr.map((v) => (v / fs) * floorBudget);
    const got = applyFloors(p, f);
    const reference = floorsByBisection(p, f);
    got.forEach((w, i) => {
      expect(Math.abs(w - reference[i])).toBeLessThan(1e-9);
      expect(w).toBeGreaterThanOrEqual(f[i]);
    });
    expect(got.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    // Arms held at their floor hold it exactly, not approximately.
    got.forEach((w, i) => {
      if (Math.abs(w - f[i]) < 1e-9) expect(w).toBe(f[i]);
    });
  });
});

describe('computeAllocation', () => {
  it.each([
    ['clear gap', [10, 100], [20, 100]],
    ['close arms', [40, 1000], [45, 1000]],
    ['little evidence', [1, 3], [2, 4]],
  ])('two arms (%s): P(best) matches numerical integration', (_name, [sa, ta], [sb, tb]) => {
    const arms: ArmStats[] = [
      { id: 'a', successes: sa, trials: ta },
      { id: 'b', successes: sb, trials: tb },
    ];
    // 5000 draws: the Monte-Carlo standard error is at most 0.0071, so 0.025 is a 3.5σ band (seeded, so stable).
    const result = computeAllocation(arms, { ...params, floor: 0, warmupTrials: 0, monteCarloDraws: 5000 }, createRng(3));
    if (result.kind !== 'ok') throw new Error(result.reason);
    const expected = probabilityBetter([1 + sa, 1 + ta - sa], [1 + sb, 1 + tb - sb]);
    expect(Math.abs(result.winProbabilities[1].weight - expected)).toBeLessThan(0.025);
    expect(result.weights[0].weight + result.weights[1].weight).toBeCloseTo(1, 12);
    expect(result.isWarmingUp).toBe(false);
  });

  it('pins a hopeless arm exactly at its floor', () => {
    const arms: ArmStats[] = [
      { id: 'good', successes: 1000, trials: 10000 },
      { id: 'bad', successes: 10, trials: 10000 },
      { id: 'custom', successes: 0, trials: 10000, floor: 0.2 },
    ];
    const result = computeAllocation(arms, params, createRng(1));
    expect(result).toEqual({
      kind: 'ok',
      weights: [
        { id: 'good', weight: 0.75 },
        { id: 'bad', weight: 0.05 },
        { id: 'custom', weight: 0.2 },
      ],
      winProbabilities: [
        { id: 'good', weight: 1 },
        { id: 'bad', weight: 0 },
        { id: 'custom', weight: 0 },
      ],
      isWarmingUp: false,
    });
  });

  it.each([
    ['one arm short of warm-up', [100, 99, 500]],
    ['no data at all', [0, 0, 0]],
  ])('is uniform while warming up (%s)', (_name, trials) => {
    const arms = trials.map((t, i) => ({ id: `m${i}`, successes: i === 2 ? t : 0, trials: t }));
    const result = computeAllocation(arms, params, createRng(1));
    if (result.kind !== 'ok') throw new Error(result.reason);
    expect(result.isWarmingUp).toBe(true);
    result.weights.forEach((w) => expect(w.weight).toBeCloseTo(1 / 3, 12));
  });

  it('is reproducible for a seed', () => {
    const arms: ArmStats[] = [
      { id: 'a', successes: 30, trials: 1000 },
      { id: 'b', successes: 35, trials: 1000 },
      { id: 'c', successes: 33, trials: 1000 },
    ];
    expect(computeAllocation(arms, params, createRng(9))).toEqual(computeAllocation(arms, params, createRng(9)));
  });

  it.each([
    ['no arms', [], 'no arms'],
    ['duplicate ids', [{ id: 'a', successes: 0, trials: 0 }, { id: 'a', successes: 0, trials: 0 }], 'duplicate arm ids'],
    ['successes above trials', [{ id: 'a', successes: 5, trials: 4 }], 'arm a: need 0 <= successes <= trials'],
    ['negative trials', [{ id: 'a', successes: 0, trials: -1 }], 'arm a: need 0 <= successes <= trials'],
    ['floors above one', [{ id: 'a', successes: 0, trials: 0, floor: 0.6 }, { id: 'b', successes: 0, trials: 0, floor: 0.5 }], 'floors sum to 1.1 > 1'],
  ])('rejects %s', (_name, arms, reason) => {
    expect(computeAllocation(arms as ArmStats[], params, createRng(1))).toEqual({ kind: 'invalid', reason });
  });
});

describe('discountStats', () => {
  it.each([
    [0.9, 1, 90, 9],
    [0.5, 2, 25, 2.5],
    [1, 10, 100, 10],
  ])('discount %d over %d steps', (discount, steps, trials, successes) => {
    const out = discountStats([{ id: 'a', successes: 10, trials: 100, floor: 0.1 }], discount, steps);
    expect(out[0].trials).toBeCloseTo(trials, 12);
    expect(out[0].successes).toBeCloseTo(successes, 12);
    expect(out[0].floor).toBe(0.1);
  });
});

describe('shouldReweight', () => {
  it.each([
    [null, 0, true],
    [1000, 60_999, false],
    [1000, 61_000, true],
    [1000, 500, false],
  ])('last %p, now %d → %p (interval 60 s)', (last, now, expected) => {
    expect(shouldReweight(last, now, 60_000)).toBe(expected);
  });
});

describe('pickArm', () => {
  const weights = [
    { id: 'a', weight: 0.2 },
    { id: 'b', weight: 0 },
    { id: 'c', weight: 0.5 },
    { id: 'd', weight: 0.3 },
  ];
  it.each([
    [0, 'a', 0.2],
    [0.19, 'a', 0.2],
    [0.2, 'c', 0.5],
    [0.69, 'c', 0.5],
    [0.7, 'd', 0.3],
    [0.999999, 'd', 0.3],
  ])('u=%d picks %s with probability %d', (u, id, probability) => {
    const pick = pickArm(weights, fixedRng(u));
    expect(pick.kind).toBe('picked');
    if (pick.kind === 'picked') {
      expect(pick.id).toBe(id);
      expect(pick.probability).toBeCloseTo(probability, 12);
    }
  });

  it('normalises unnormalised weights', () => {
    expect(pickArm([{ id: 'x', weight: 2 }, { id: 'y', weight: 6 }], fixedRng(0.3))).toEqual({ kind: 'picked', id: 'y', probability: 0.75 });
  });

  it.each([[[]], [[{ id: 'x', weight: 0 }]]])('returns empty for %j', (given) => {
    expect(pickArm(given, fixedRng(0.5))).toEqual({ kind: 'empty' });
  });

  it('realised frequencies follow the weights', () => {
    const rng = createRng(5);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    for (let i = 0; i < 100_000; i++) {
      const pick = pickArm(weights, rng);
      if (pick.kind === 'picked') counts[pick.id]++;
    }
    expect(counts.b).toBe(0);
    expect(Math.abs(counts.a / 100_000 - 0.2)).toBeLessThan(0.01);
    expect(Math.abs(counts.c / 100_000 - 0.5)).toBeLessThan(0.01);
  });
});
