/**
 * FTRL-Proximal logistic regression: McMahan et al., "Ad Click Prediction: a View from the Trenches",
 * KDD 2013, Algorithm 1 (per-coordinate learning rates, L1 + L2), over binary hashed features.
 *
 * State choice: dense, z and n interleaved in one Float64Array of length 2·2^hashBits (16·2^hashBits bytes;
 * 16 MB at the default 20 bits). Hashed spaces are bounded by construction, and dense arrays are several times
 * faster than Maps on the update path; hashBits is therefore capped at MAX_FTRL_HASH_BITS.
 * Snapshots (toState) and exported weights are sparse: only touched / nonzero coordinates.
 *
 * Two optional, documented departures from the paper, both off by default: an unregularised bias
 * coordinate (params.biasIndex) and a prior for it (initBias). With per-coordinate rates the bias's
 * step size shrinks fastest, so without them the base-rate log-odds ends up spread over frequent
 * features, which hurts calibration when those features shift.
 */

export const MAX_FTRL_HASH_BITS = 24;
/** Margins are clamped to ±MARGIN_CLAMP before the sigmoid so p stays strictly inside (0, 1). */
export const MARGIN_CLAMP = 35;
export const FTRL_FORMAT_VERSION = 1;

export interface FtrlParams {
  /** Learning-rate scale α (> 0). */
  alpha: number;
  /** Learning-rate smoothing β (>= 0). */
  beta: number;
  /** L1 strength λ1 (>= 0); produces exact zeros. */
  l1: number;
  /** L2 strength λ2 (>= 0). */
  l2: number;
  /** Feature indices must lie in [0, 2^hashBits); 1..MAX_FTRL_HASH_BITS. */
  hashBits: number;
  /**
   * The always-on bias coordinate, exempt from λ1/λ2 like an intercept in batch logistic regression
   * (so the base rate sits on the bias, not smeared over frequent features). Null: every coordinate
   * is regularised, exactly as in the paper.
   */
  biasIndex?: number | null;
}

export const DEFAULT_FTRL_PARAMS: FtrlParams = Object.freeze({ alpha: 0.05, beta: 1, l1: 1, l2: 1, hashBits: 20, biasIndex: null });

/** Serving weights: the nonzero w_i only, indices ascending. */
export interface FtrlWeights {
  /** Format version of this structure (FTRL_FORMAT_VERSION), not a model version. */
  version: number;
  hashBits: number;
  indices: Uint32Array;
  weights: Float64Array;
}

/** Full learner state for persistence: every coordinate with n_i > 0 or z_i ≠ 0, indices ascending. */
export interface FtrlState {
  version: number;
  params: FtrlParams;
  /** Number of update() calls so far. */
  examplesSeen: number;
  indices: Uint32Array;
  z: Float64Array;
  n: Float64Array;
}

export type Decoded<T> = { kind: 'ok'; value: T } | { kind: 'invalid'; reason: string };

/** Lists what is wrong with a parameter set (empty when valid). */
export function validateFtrlParams(params: FtrlParams): string[] {
  const problems: string[] = [];
  if (!(params.alpha > 0 && Number.isFinite(params.alpha))) problems.push('alpha must be a positive finite number');
  if (!(params.beta >= 0 && Number.isFinite(params.beta))) problems.push('beta must be >= 0');
  if (!(params.l1 >= 0 && Number.isFinite(params.l1))) problems.push('l1 must be >= 0');
  if (!(params.l2 >= 0 && Number.isFinite(params.l2))) problems.push('l2 must be >= 0');
  if (!Number.isInteger(params.hashBits) || params.hashBits < 1 || params.hashBits > MAX_FTRL_HASH_BITS) {
    problems.push(`hashBits must be an integer in 1..${MAX_FTRL_HASH_BITS}`);
  } else if (params.biasIndex != null && !(Number.isInteger(params.biasIndex) && params.biasIndex >= 0 && params.biasIndex < 2 ** params.hashBits)) {
    problems.push('biasIndex must be an integer in [0, 2^hashBits)');
  }
  return problems;
}

/** σ(margin) with the margin clamped to ±MARGIN_CLAMP. */
export function sigmoid(margin: number): number {
  const m = margin > MARGIN_CLAMP ? MARGIN_CLAMP : margin < -MARGIN_CLAMP ? -MARGIN_CLAMP : margin;
  return 1 / (1 + Math.exp(-m));
}

/**
 * Online learner. Inputs to predict/update are the active indices of a binary example (x_i = 1),
 * which must be distinct and < 2^hashBits (buildFeatures guarantees both).
 */
export class FtrlProximal {
  readonly params: Readonly<FtrlParams>;
  // z_i at zn[2i], n_i at zn[2i+1]: one cache line per coordinate instead of two (update is memory-bound).
  private readonly zn: Float64Array;
  private readonly size: number;
  private scratchW = new Float64Array(64);
  private scratchSqrtN = new Float64Array(64);
  private seen = 0;
  private readonly bias: number;

  /** Throws RangeError on invalid params (a programming error; validate operator input with validateFtrlParams). */
  constructor(params: FtrlParams) {
    const problems = validateFtrlParams(params);
    if (problems.length > 0) throw new RangeError(`invalid FTRL params: ${problems.join('; ')}`);
    this.params = Object.freeze({ ...params, biasIndex: params.biasIndex ?? null });
    this.bias = this.params.biasIndex ?? -1;
    this.size = 2 ** params.hashBits;
    this.zn = new Float64Array(2 * this.size);
  }

  get examplesSeen(): number {
    return this.seen;
  }

  /**
   * w_i from (z_i, n_i), Algorithm 1: 0 if |z_i| <= λ1, else −(z_i − sgn(z_i)λ1) / ((β + √n_i)/α + λ2)
   * (λ1 = λ2 = 0 at the bias index).
   */
  weightAt(index: number): number {
    const zi = this.zn[2 * index];
    const isBias = index === this.bias;
    const l1 = isBias ? 0 : this.params.l1;
    if (zi <= l1 && zi >= -l1) return 0;
    const { alpha, beta } = this.params;
    return -(zi - (zi < 0 ? -l1 : l1)) / ((beta + Math.sqrt(this.zn[2 * index + 1])) / alpha + (isBias ? 0 : this.params.l2));
  }

  /**
   * Starts the bias weight at a prior log-odds (e.g. logit of the historical CTR) by setting
   * z_bias = −logOdds·β/α, so that w_bias = logOdds while n_bias = 0. Only before the bias has been
   * updated, and only with a biasIndex and β > 0 (with β = 0 the first step's rate is unbounded).
   */
  initBias(logOdds: number): { kind: 'ok' } | { kind: 'rejected'; reason: string } {
    if (this.bias < 0) return { kind: 'rejected', reason: 'no biasIndex configured' };
    if (!(this.params.beta > 0)) return { kind: 'rejected', reason: 'beta must be > 0' };
    if (this.zn[2 * this.bias + 1] !== 0) return { kind: 'rejected', reason: 'bias already trained' };
    if (!Number.isFinite(logOdds)) return { kind: 'rejected', reason: 'logOdds must be finite' };
    this.zn[2 * this.bias] = (-logOdds * this.params.beta) / this.params.alpha;
    return { kind: 'ok' };
  }

  /** p = σ(Σ_i w_i) over the active indices; does not change state. */
  predict(indices: ArrayLike<number>): number {
    let margin = 0;
    for (let k = 0; k < indices.length; k++) margin += this.weightAt(indices[k]);
    return sigmoid(margin);
  }

  /**
   * One step of Algorithm 1 on (x, y). Returns the prediction made BEFORE the update
   * (progressive validation: it is an honest out-of-sample score for this example).
   *
   * sampleWeight scales the gradient, g_i = sampleWeight·(p − y). For negative down-sampling keep each
   * negative with probability r and pass sampleWeight = 1/r for kept negatives (1 for positives): the
   * importance-weighted loss is unbiased for the full stream, so predictions stay calibrated and
   * need no p/(p + (1−p)/r) correction at serving.
   */
  update(indices: ArrayLike<number>, label: number, sampleWeight = 1): number {
    const count = indices.length;
    if (this.scratchW.length < count) {
      this.scratchW = new Float64Array(count * 2);
      this.scratchSqrtN = new Float64Array(count * 2);
    }
    const w = this.scratchW;
    const sqrtN = this.scratchSqrtN;
    const { alpha, beta, l1: paramL1, l2: paramL2 } = this.params;
    const zn = this.zn;
    const bias = this.bias;
    let margin = 0;
    for (let k = 0; k < count; k++) {
      const i = indices[k];
      const zi = zn[2 * i];
      const l1 = i === bias ? 0 : paramL1;
      const rootN = Math.sqrt(zn[2 * i + 1]);
      sqrtN[k] = rootN;
      let wi = 0;
      if (zi > l1 || zi < -l1) wi = -(zi - (zi < 0 ? -l1 : l1)) / ((beta + rootN) / alpha + (i === bias ? 0 : paramL2));
      w[k] = wi;
      margin += wi;
    }
    const p = sigmoid(margin);
    const g = sampleWeight * (p - (label > 0 ? 1 : 0));
    const g2 = g * g;
    for (let k = 0; k < count; k++) {
      const i = indices[k];
      const ni = zn[2 * i + 1];
      const sigma = (Math.sqrt(ni + g2) - sqrtN[k]) / alpha;
      zn[2 * i] += g - sigma * w[k];
      zn[2 * i + 1] = ni + g2;
    }
    this.seen++;
    return p;
  }

  /** The nonzero serving weights w_i (computed from z, n as in Algorithm 1), ascending indices. */
  exportWeights(): FtrlWeights {
    const idx: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < this.size; i++) {
      if (this.zn[2 * i] === 0) continue;
      const wi = this.weightAt(i);
      if (wi !== 0) {
        idx.push(i);
        val.push(wi);
      }
    }
    return { version: FTRL_FORMAT_VERSION, hashBits: this.params.hashBits, indices: Uint32Array.from(idx), weights: Float64Array.from(val) };
  }

  /** A copy of the learner state: every coordinate ever updated (n_i > 0). */
  toState(): FtrlState {
    const idx: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.zn[2 * i + 1] > 0 || this.zn[2 * i] !== 0) idx.push(i);
    const indices = Uint32Array.from(idx);
    const z = new Float64Array(indices.length);
    const n = new Float64Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      z[k] = this.zn[2 * indices[k]];
      n[k] = this.zn[2 * indices[k] + 1];
    }
    return { version: FTRL_FORMAT_VERSION, params: { ...this.params }, examplesSeen: this.seen, indices, z, n };
  }

  /** Restores a learner from toState() output; invalid states come back as a result, not a throw. */
  static fromState(state: FtrlState): Decoded<FtrlProximal> {
    if (state.version !== FTRL_FORMAT_VERSION) return { kind: 'invalid', reason: `unsupported state version ${state.version}` };
    const problems = validateFtrlParams(state.params);
    if (problems.length > 0) return { kind: 'invalid', reason: problems.join('; ') };
    if (state.z.length !== state.indices.length || state.n.length !== state.indices.length) {
      return { kind: 'invalid', reason: 'indices, z and n lengths differ' };
    }
    const size = 2 ** state.params.hashBits;
    const learner = new FtrlProximal(state.params);
    for (let k = 0; k < state.indices.length; k++) {
      const i = state.indices[k];
      if (i >= size) return { kind: 'invalid', reason: `index ${i} outside 2^${state.params.hashBits}` };
      if (!(state.n[k] >= 0) || !Number.isFinite(state.z[k])) return { kind: 'invalid', reason: `bad z/n at index ${i}` };
      learner.zn[2 * i] = state.z[k];
      learner.zn[2 * i + 1] = state.n[k];
    }
    learner.seen = state.examplesSeen;
    return { kind: 'ok', value: learner };
  }
}

// Binary layouts (little-endian) for Postgres bytea / object storage. Float64 blocks start on 8-byte boundaries.
const WEIGHTS_MAGIC = 0x57525446; // 'FTRW'
const STATE_MAGIC = 0x53525446; // 'FTRS'

function align8(offset: number): number {
  return (offset + 7) & ~7;
}

/** Serialises serving weights: magic, version, hashBits, count, u32 indices, f64 weights. */
export function encodeWeights(weights: FtrlWeights): Uint8Array {
  const count = weights.indices.length;
  const weightsOffset = align8(16 + 4 * count);
  const bytes = new Uint8Array(weightsOffset + 8 * count);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, WEIGHTS_MAGIC, true);
  view.setUint32(4, weights.version, true);
  view.setUint32(8, weights.hashBits, true);
  view.setUint32(12, count, true);
  for (let k = 0; k < count; k++) view.setUint32(16 + 4 * k, weights.indices[k], true);
  for (let k = 0; k < count; k++) view.setFloat64(weightsOffset + 8 * k, weights.weights[k], true);
  return bytes;
}

/** Inverse of encodeWeights. */
export function decodeWeights(bytes: Uint8Array): Decoded<FtrlWeights> {
  if (bytes.length < 16) return { kind: 'invalid', reason: 'too short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== WEIGHTS_MAGIC) return { kind: 'invalid', reason: 'not an FTRL weights blob' };
  const version = view.getUint32(4, true);
  if (version !== FTRL_FORMAT_VERSION) return { kind: 'invalid', reason: `unsupported version ${version}` };
  const hashBits = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const weightsOffset = align8(16 + 4 * count);
  if (bytes.length !== weightsOffset + 8 * count) return { kind: 'invalid', reason: 'length does not match count' };
  const indices = new Uint32Array(count);
  const weights = new Float64Array(count);
  for (let k = 0; k < count; k++) indices[k] = view.getUint32(16 + 4 * k, true);
  for (let k = 0; k < count; k++) weights[k] = view.getFloat64(weightsOffset + 8 * k, true);
  return { kind: 'ok', value: { version, hashBits, indices, weights } };
}

// State header: magic, version, hashBits, count (u32 each), then α, β, λ1, λ2, examplesSeen, biasIndex (f64, −1 = none).
const STATE_HEADER_BYTES = 16 + 6 * 8;

/** Serialises a learner state: header, u32 indices, f64 z, f64 n. */
export function encodeState(state: FtrlState): Uint8Array {
  const count = state.indices.length;
  const header = STATE_HEADER_BYTES;
  const zOffset = align8(header + 4 * count);
  const nOffset = zOffset + 8 * count;
  const bytes = new Uint8Array(nOffset + 8 * count);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, STATE_MAGIC, true);
  view.setUint32(4, state.version, true);
  view.setUint32(8, state.params.hashBits, true);
  view.setUint32(12, count, true);
  view.setFloat64(16, state.params.alpha, true);
  view.setFloat64(24, state.params.beta, true);
  view.setFloat64(32, state.params.l1, true);
  view.setFloat64(40, state.params.l2, true);
  view.setFloat64(48, state.examplesSeen, true);
  view.setFloat64(56, state.params.biasIndex ?? -1, true);
  for (let k = 0; k < count; k++) view.setUint32(header + 4 * k, state.indices[k], true);
  for (let k = 0; k < count; k++) {
    view.setFloat64(zOffset + 8 * k, state.z[k], true);
    view.setFloat64(nOffset + 8 * k, state.n[k], true);
  }
  return bytes;
}

/** Inverse of encodeState (the result still goes through FtrlProximal.fromState for validation). */
export function decodeState(bytes: Uint8Array): Decoded<FtrlState> {
  const header = STATE_HEADER_BYTES;
  if (bytes.length < header) return { kind: 'invalid', reason: 'too short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== STATE_MAGIC) return { kind: 'invalid', reason: 'not an FTRL state blob' };
  const version = view.getUint32(4, true);
  if (version !== FTRL_FORMAT_VERSION) return { kind: 'invalid', reason: `unsupported version ${version}` };
  const count = view.getUint32(12, true);
  const zOffset = align8(header + 4 * count);
  const nOffset = zOffset + 8 * count;
  if (bytes.length !== nOffset + 8 * count) return { kind: 'invalid', reason: 'length does not match count' };
  const params: FtrlParams = {
    hashBits: view.getUint32(8, true),
    alpha: view.getFloat64(16, true),
    beta: view.getFloat64(24, true),
    l1: view.getFloat64(32, true),
    l2: view.getFloat64(40, true),
    biasIndex: view.getFloat64(56, true) < 0 ? null : view.getFloat64(56, true),
  };
  const indices = new Uint32Array(count);
  const z = new Float64Array(count);
  const n = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    indices[k] = view.getUint32(header + 4 * k, true);
    z[k] = view.getFloat64(zOffset + 8 * k, true);
    n[k] = view.getFloat64(nOffset + 8 * k, true);
  }
  return { kind: 'ok', value: { version, params, examplesSeen: view.getFloat64(48, true), indices, z, n } };
}
