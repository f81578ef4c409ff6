import { Decoded, FtrlWeights, FTRL_FORMAT_VERSION, sigmoid } from './ftrl-proximal';

// Up to 2^22 coordinates (32 MB) a dense lookup table is used; above it, binary search over the sparse arrays.
const DENSE_MAX_HASH_BITS = 22;

/**
 * Read-only scorer for API nodes: predicts from exported serving weights without z/n,
 * giving exactly FtrlProximal.predict's value for the state the weights were exported from.
 */
export class FtrlScorer {
  private constructor(
    readonly hashBits: number,
    readonly nonzeroCount: number,
    private readonly dense: Float64Array | null,
    private readonly indices: Uint32Array,
    private readonly weights: Float64Array,
  ) {}

  /** Builds a scorer; rejects weights with unsorted, duplicate or out-of-range indices. */
  static fromWeights(weights: FtrlWeights): Decoded<FtrlScorer> {
    if (weights.version !== FTRL_FORMAT_VERSION) return { kind: 'invalid', reason: `unsupported version ${weights.version}` };
    if (!Number.isInteger(weights.hashBits) || weights.hashBits < 1 || weights.hashBits > 32) return { kind: 'invalid', reason: 'bad hashBits' };
    if (weights.indices.length !== weights.weights.length) return { kind: 'invalid', reason: 'indices and weights lengths differ' };
    const size = 2 ** weights.hashBits;
    for (let k = 0; k < weights.indices.length; k++) {
      if (weights.indices[k] >= size) return { kind: 'invalid', reason: `index ${weights.indices[k]} outside 2^${weights.hashBits}` };
      if (k > 0 && weights.indices[k] <= weights.indices[k - 1]) return { kind: 'invalid', reason: 'indices must be strictly ascending' };
      if (!Number.isFinite(weights.weights[k])) return { kind: 'invalid', reason: `non-finite weight at ${weights.indices[k]}` };
    }
    let dense: Float64Array | null = null;
    if (weights.hashBits <= DENSE_MAX_HASH_BITS) {
      dense = new Float64Array(size);
      for (let k = 0; k < weights.indices.length; k++) dense[weights.indices[k]] = weights.weights[k];
    }
    return { kind: 'ok', value: new FtrlScorer(weights.hashBits, weights.indices.length, dense, weights.indices.slice(), weights.weights.slice()) };
  }

  /** Weight of one index (0 when absent). */
  weightAt(index: number): number {
    if (this.dense) return this.dense[index] ?? 0;
    let lo = 0;
    let hi = this.indices.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.indices[mid];
      if (v === index) return this.weights[mid];
      if (v < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Σ w_i over the active indices (log-odds). */
  margin(indices: ArrayLike<number>): number {
    let m = 0;
    for (let k = 0; k < indices.length; k++) m += this.weightAt(indices[k]);
    return m;
  }

  /** Predicted probability σ(margin), clamped as in FtrlProximal. */
  predict(indices: ArrayLike<number>): number {
    return sigmoid(this.margin(indices));
  }
}
