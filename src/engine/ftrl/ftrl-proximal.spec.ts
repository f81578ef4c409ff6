import { createRng, Rng } from '../util/rng';
import {
  decodeState,
  decodeWeights,
  encodeState,
  encodeWeights,
  FtrlParams,
  FtrlProximal,
  sigmoid,
  validateFtrlParams,
} from './ftrl-proximal';
import { FtrlScorer } from './ftrl-scorer';

interface Example {
  x: number[];
  y: number;
  weight: number;
}

/** A seeded stream: bias index 0 plus 5..15 distinct indices from 400, labels from a hidden sparse logistic model. */
function makeStream(seed: number, count: number, hashBits: number, isWeighted: boolean): Example[] {
  const rng = createRng(seed);
  const pool = 400;
  const truth = Array.from({ length: pool }, () => (rng.next() < 0.2 ? (rng.next() - 0.5) * 4 : 0));
  const stride = Math.floor(2 ** hashBits / pool);
  const examples: Example[] = [];
  for (let t = 0; t < count; t++) {
    const picked = new Set<number>([0]);
    const k = 5 + Math.floor(rng.next() * 11);
    while (picked.size < k + 1) picked.add(1 + Math.floor(rng.next() * (pool - 1)));
    const x = [...picked];
    const margin = -2 + x.reduce((s, i) => s + truth[i], 0);
    const y = rng.next() < 1 / (1 + Math.exp(-margin)) ? 1 : 0;
    examples.push({ x: x.map((i) => i * stride), y, weight: isWeighted ? (rng.next() < 0.5 ? 1 : 3.5) : 1 });
  }
  return examples;
}

/**
 * Naive Algorithm 1 (McMahan et al. 2013) with plain objects, written straight from the paper,
 * plus the two documented extensions: λ1 = λ2 = 0 on the bias index and an initial z for it.
 */
class ReferenceFtrl {
  z: Record<number, number> = {};
  n: Record<number, number> = {};
  constructor(private readonly p: FtrlParams, biasPrior: number | null) {
    if (biasPrior !== null) this.z[p.biasIndex!] = -biasPrior * p.beta / p.alpha;
  }

  w(i: number): number {
    const zi = this.z[i] ?? 0;
    const ni = this.n[i] ?? 0;
    const l1 = i === this.p.biasIndex ? 0 : this.p.l1;
    const l2 = i === this.p.biasIndex ? 0 : this.p.l2;
    if (Math.abs(zi) <= l1) return 0;
    return -1 / ((this.p.beta + Math.sqrt(ni)) / this.p.alpha + l2) * (zi - Math.sign(zi) * l1);
  }

  predict(x: number[]): number {
    const dot = x.reduce((s, i) => s + this.w(i), 0);
    return 1 / (1 + Math.exp(-Math.max(-35, Math.min(35, dot))));
  }

  step(ex: Example): number {
    const w: Record<number, number> = {};
    for (const i of ex.x) w[i] = this.w(i);
    const pt = this.predict(ex.x);
    for (const i of ex.x) {
      const g = ex.weight * (pt - ex.y);
      const ni = this.n[i] ?? 0;
      const sigma = (Math.sqrt(ni + g * g) - Math.sqrt(ni)) / this.p.alpha;
      this.z[i] = (this.z[i] ?? 0) + g - sigma * w[i];
      this.n[i] = ni + g * g;
    }
    return pt;
  }
}

const settings: [string, FtrlParams, boolean, number | null][] = [
  ['default-like', { alpha: 0.1, beta: 1, l1: 1, l2: 1, hashBits: 12 }, false, null],
  ['no regularisation', { alpha: 0.05, beta: 0.5, l1: 0, l2: 0, hashBits: 12 }, false, null],
  ['beta 0, l1 only', { alpha: 0.2, beta: 0, l1: 0.5, l2: 0, hashBits: 12 }, false, null],
  ['strong l1 + l2, large alpha', { alpha: 1, beta: 1, l1: 3, l2: 5, hashBits: 14 }, false, null],
  ['weighted samples', { alpha: 0.1, beta: 1, l1: 0.3, l2: 0.1, hashBits: 12 }, true, null],
  ['unregularised bias, no prior', { alpha: 0.1, beta: 1, l1: 1, l2: 2, hashBits: 12, biasIndex: 0 }, false, null],
  ['unregularised bias with prior', { alpha: 0.2, beta: 0.1, l1: 2, l2: 1, hashBits: 12, biasIndex: 0 }, true, -2.5],
];

describe('FtrlProximal golden test against a naive Algorithm 1', () => {
  it.each(settings)('%s agrees to 1e-9 on every prediction and weight', (_name, params, isWeighted, biasPrior) => {
    const stream = makeStream(42, 3000, params.hashBits, isWeighted);
    const learner = new FtrlProximal(params);
    if (biasPrior !== null) expect(learner.initBias(biasPrior)).toEqual({ kind: 'ok' });
    const reference = new ReferenceFtrl(params, biasPrior);
    let maxPredictionDiff = 0;
    let maxWeightDiff = 0;
    let checkedWeights = 0;
    stream.forEach((ex, t) => {
      // Every weight the prediction uses, before the step...
      for (const i of ex.x) maxWeightDiff = Math.max(maxWeightDiff, Math.abs(learner.weightAt(i) - reference.w(i)));
      const expected = reference.step(ex);
      const got = learner.update(ex.x, ex.y, ex.weight);
      maxPredictionDiff = Math.max(maxPredictionDiff, Math.abs(got - expected));
      // ...and every touched weight, exported, at checkpoints.
      if (t % 500 === 499 || t === stream.length - 1) {
        const exported = learner.exportWeights();
        const byIndex = new Map(Array.from(exported.indices, (i, k) => [i, exported.weights[k]]));
        for (const key of Object.keys(reference.z)) {
          const i = Number(key);
          maxWeightDiff = Math.max(maxWeightDiff, Math.abs((byIndex.get(i) ?? 0) - reference.w(i)));
          checkedWeights++;
        }
        for (const i of exported.indices) expect(reference.w(i)).not.toBe(0);
      }
    });
    expect(checkedWeights).toBeGreaterThan(300);
    expect(maxPredictionDiff).toBeLessThan(1e-9);
    expect(maxWeightDiff).toBeLessThan(1e-9);
  });
});

describe('FtrlProximal behaviour', () => {
  const params: FtrlParams = { alpha: 0.1, beta: 1, l1: 0.5, l2: 1, hashBits: 12 };

  it('update returns the prediction made before the update (progressive validation)', () => {
    const learner = new FtrlProximal(params);
    for (const ex of makeStream(7, 200, 12, false)) {
      const before = learner.predict(ex.x);
      expect(learner.update(ex.x, ex.y)).toBe(before);
    }
    expect(learner.examplesSeen).toBe(200);
  });

  it.each([
    [0, 1],
    [1, 0.5],
  ])('a fresh learner predicts sigmoid(0) for label %d example, then moves toward the label', (label) => {
    const learner = new FtrlProximal({ ...params, l1: 0 });
    expect(learner.update([3, 9], label)).toBe(0.5);
    const after = learner.predict([3, 9]);
    expect(label === 1 ? after > 0.5 : after < 0.5).toBe(true);
  });

  it.each([
    [0, 0.5],
    [0.5, 2],
    [2, 8],
  ])('l1=%f yields at least as many nonzero weights as l1=%f', (smaller, larger) => {
    const stream = makeStream(3, 2000, 12, false);
    const [many, few] = [smaller, larger].map((l1) => {
      const learner = new FtrlProximal({ ...params, l1 });
      for (const ex of stream) learner.update(ex.x, ex.y);
      return learner.exportWeights().indices.length;
    });
    expect(few).toBeLessThan(many);
  });

  // Negative down-sampling: keep negatives with rate r and weight them 1/r. With only a bias feature the
  // learner estimates the stream's CTR; the weighted variant must stay near the true 5%, the unweighted one drifts to ~1/3.
  it.each([
    ['weighted 1/r (calibrated, ≈0.05)', true, 0.05, 0.015],
    ['unweighted (biased, ≈0.345)', false, 0.05 / (0.05 + 0.95 * 0.1), 0.05],
  ])('down-sampling negatives at r=0.1, %s', (_name, isWeighted, expected, tolerance) => {
    const rng = createRng(11);
    const learner = new FtrlProximal({ alpha: 0.05, beta: 1, l1: 0, l2: 0, hashBits: 4 });
    const rate = 0.1;
    for (let t = 0; t < 400_000; t++) {
      const y = rng.next() < 0.05 ? 1 : 0;
      if (y === 0 && rng.next() >= rate) continue;
      learner.update([0], y, y === 0 && isWeighted ? 1 / rate : 1);
    }
    expect(Math.abs(learner.predict([0]) - expected)).toBeLessThan(tolerance);
  });

  it.each([
    ['sets w_bias to the prior', { ...params, biasIndex: 3 }, false, { kind: 'ok' }],
    ['needs a bias index', params, false, { kind: 'rejected', reason: 'no biasIndex configured' }],
    ['needs beta > 0', { ...params, beta: 0, biasIndex: 3 }, false, { kind: 'rejected', reason: 'beta must be > 0' }],
    ['refuses a trained bias', { ...params, biasIndex: 3 }, true, { kind: 'rejected', reason: 'bias already trained' }],
  ])('initBias %s', (_name, given, isTrained, expected) => {
    const learner = new FtrlProximal(given);
    if (isTrained) learner.update([3], 1);
    expect(learner.initBias(-4)).toEqual(expected);
    if (expected.kind === 'ok') {
      expect(learner.weightAt(3)).toBeCloseTo(-4, 12);
      expect(learner.predict([3])).toBeCloseTo(1 / (1 + Math.exp(4)), 12);
    }
  });

  it('state round trip keeps the bias index and its prior', () => {
    const learner = new FtrlProximal({ ...params, biasIndex: 7 });
    learner.initBias(-3);
    const decoded = decodeState(encodeState(learner.toState()));
    if (decoded.kind !== 'ok') throw new Error(decoded.reason);
    const restored = FtrlProximal.fromState(decoded.value);
    if (restored.kind !== 'ok') throw new Error(restored.reason);
    expect(restored.value.params.biasIndex).toBe(7);
    expect(restored.value.weightAt(7)).toBe(learner.weightAt(7));
  });

  it('throws on invalid params and validates them as a list', () => {
    expect(() => new FtrlProximal({ ...params, alpha: 0 })).toThrow(RangeError);
  });

  it.each([
    [{ alpha: 0.1, beta: 1, l1: 0, l2: 0, hashBits: 12 }, []],
    [{ alpha: -1, beta: 1, l1: 0, l2: 0, hashBits: 12 }, ['alpha must be a positive finite number']],
    [{ alpha: 1, beta: -1, l1: -1, l2: -1, hashBits: 12 }, ['beta must be >= 0', 'l1 must be >= 0', 'l2 must be >= 0']],
    [{ alpha: 1, beta: 1, l1: 0, l2: 0, hashBits: 25 }, ['hashBits must be an integer in 1..24']],
    [{ alpha: 1, beta: 1, l1: 0, l2: 0, hashBits: 4, biasIndex: 16 }, ['biasIndex must be an integer in [0, 2^hashBits)']],
  ])('validateFtrlParams(%j)', (given, problems) => {
    expect(validateFtrlParams(given)).toEqual(problems);
  });

  it.each([
    [0, 0.5],
    [100, sigmoid(35)],
    [-100, sigmoid(-35)],
  ])('sigmoid(%d) = %d with the margin clamp', (margin, expected) => {
    expect(sigmoid(margin)).toBe(expected);
  });
});

describe('serving weights and state persistence', () => {
  const params: FtrlParams = { alpha: 0.1, beta: 1, l1: 0.5, l2: 1, hashBits: 12 };
  function trained(): FtrlProximal {
    const learner = new FtrlProximal(params);
    for (const ex of makeStream(5, 1500, 12, false)) learner.update(ex.x, ex.y);
    return learner;
  }
  function probes(rng: Rng): number[][] {
    return Array.from({ length: 200 }, () => Array.from({ length: 10 }, () => Math.floor(rng.next() * 4096)).filter((v, i, a) => a.indexOf(v) === i));
  }

  it('the scorer built from exported (and encoded) weights predicts exactly like the learner', () => {
    const learner = trained();
    const decoded = decodeWeights(encodeWeights(learner.exportWeights()));
    if (decoded.kind !== 'ok') throw new Error(decoded.reason);
    const scorer = FtrlScorer.fromWeights(decoded.value);
    if (scorer.kind !== 'ok') throw new Error(scorer.reason);
    expect(scorer.value.nonzeroCount).toBeGreaterThan(0);
    for (const x of probes(createRng(1))) expect(scorer.value.predict(x)).toBe(learner.predict(x));
  });

  it('binary-search scorer (hashBits above the dense limit) equals the dense one', () => {
    const weights = { version: 1, hashBits: 30, indices: Uint32Array.from([5, 70, 2 ** 29 + 3]), weights: Float64Array.from([0.5, -1, 2]) };
    const scorer = FtrlScorer.fromWeights(weights);
    if (scorer.kind !== 'ok') throw new Error(scorer.reason);
    expect([scorer.value.weightAt(5), scorer.value.weightAt(70), scorer.value.weightAt(2 ** 29 + 3), scorer.value.weightAt(6)]).toEqual([0.5, -1, 2, 0]);
    expect(scorer.value.margin([5, 70, 2 ** 29 + 3, 9])).toBe(1.5);
  });

  it.each([
    ['unsorted', { version: 1, hashBits: 4, indices: Uint32Array.from([3, 2]), weights: Float64Array.from([1, 1]) }, 'indices must be strictly ascending'],
    ['out of range', { version: 1, hashBits: 4, indices: Uint32Array.from([16]), weights: Float64Array.from([1]) }, 'index 16 outside 2^4'],
    ['length mismatch', { version: 1, hashBits: 4, indices: Uint32Array.from([1]), weights: Float64Array.from([]) }, 'indices and weights lengths differ'],
    ['unknown version', { version: 9, hashBits: 4, indices: Uint32Array.from([]), weights: Float64Array.from([]) }, 'unsupported version 9'],
  ])('rejects %s weights', (_name, weights, reason) => {
    expect(FtrlScorer.fromWeights(weights)).toEqual({ kind: 'invalid', reason });
  });

  it('toState → encode → decode → fromState continues training identically', () => {
    const learner = trained();
    const decoded = decodeState(encodeState(learner.toState()));
    if (decoded.kind !== 'ok') throw new Error(decoded.reason);
    const restored = FtrlProximal.fromState(decoded.value);
    if (restored.kind !== 'ok') throw new Error(restored.reason);
    expect(restored.value.examplesSeen).toBe(1500);
    expect(restored.value.params).toEqual({ ...params, biasIndex: null });
    for (const ex of makeStream(6, 500, 12, false)) expect(restored.value.update(ex.x, ex.y)).toBe(learner.update(ex.x, ex.y));
    expect(restored.value.exportWeights()).toEqual(learner.exportWeights());
  });

  it.each([
    ['weights blob too short', () => decodeWeights(new Uint8Array(3)), 'too short'],
    ['state blob passed as weights', () => decodeWeights(encodeState(new FtrlProximal(params).toState())), 'not an FTRL weights blob'],
    ['truncated state', () => decodeState(encodeState(trained().toState()).subarray(0, 100)), 'length does not match count'],
  ])('decoding rejects a %s', (_name, run, reason) => {
    expect(run()).toEqual({ kind: 'invalid', reason });
  });

  it('fromState rejects mismatched arrays', () => {
    const state = new FtrlProximal(params).toState();
    expect(FtrlProximal.fromState({ ...state, z: new Float64Array(1) })).toEqual({ kind: 'invalid', reason: 'indices, z and n lengths differ' });
  });
});
