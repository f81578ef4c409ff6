import { logloss } from '../metrics/classification';
import { Rng } from '../util/rng';
import { BinnedMatrix, binMatrix, HistogramLayout } from './binning';
import { predictTreeMargins } from './predict';
import { DEFAULT_GBDT_PARAMS, GbdtDataset, GbdtModel, GbdtParams, RoundHistory, Tree } from './types';

export type TrainGbdtResult =
  | {
      kind: 'trained';
      model: GbdtModel;
      /** One entry per round run: train logloss and (with a valid set) validation logloss, in nats. */
      history: RoundHistory[];
      /** 0-based round of least validation logloss (the last round without a valid set). */
      bestRound: number;
      roundsRun: number;
    }
  | { kind: 'invalid'; reason: string };

export interface TrainGbdtOptions {
  /** Validation set for the learning curve and early stopping. */
  valid?: GbdtDataset;
  /** Histogram kernel: 'auto' picks the sparse one when most entries sit in their feature's most frequent bin. */
  histogramLayout?: HistogramLayout;
  /** Needed only when subsample < 1 or colsampleByTree < 1. */
  rng?: Rng;
}

/** XGBoost's kRtEps: a split must improve the (unhalved) objective by more than this. */
const MIN_SPLIT_IMPROVEMENT = 1e-6;

/**
 * Gain of a split, following Chen & Guestrin (2016), "XGBoost", eq. 7:
 * ½[G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)]. γ is applied separately (post-pruning, as XGBoost does),
 * so a split is kept iff this value > γ. Note XGBoost's own `gain`/min_split_loss omit the ½: γ here = min_split_loss / 2.
 */
export function splitGain(gl: number, hl: number, gr: number, hr: number, lambda: number): number {
  const g = gl + gr;
  const h = hl + hr;
  return 0.5 * ((gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - (g * g) / (h + lambda));
}

interface SplitCandidate {
  gain: number;
  feature: number;
  /** Value bin index k: left iff bin ≤ k; −1 = only missing values go left (threshold = the feature's minimum). */
  bin: number;
  defaultLeft: boolean;
  gl: number;
  hl: number;
}

interface OpenNode {
  id: number;
  begin: number;
  end: number;
  depth: number;
  hist: Float64Array;
  g: number;
  h: number;
  split: SplitCandidate | null;
}

class TreeBuilder {
  feature: number[] = [];
  threshold: number[] = [];
  left: number[] = [];
  right: number[] = [];
  defaultLeft: number[] = [];
  weight: number[] = [];
  gain: number[] = [];
  cover: number[] = [];
  /** Training-time routing on local bins: left iff bin ≤ splitBin; missingBin follows defaultLeft. */
  splitBin: number[] = [];
  missingBin: number[] = [];
  /** Each node's rows are rows[rangeBegin, rangeEnd) of the tree's final partition (children subdivide the parent's range). */
  rangeBegin: number[] = [];
  rangeEnd: number[] = [];

  add(weight: number, cover: number): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.defaultLeft.push(0);
    this.weight.push(weight);
    this.gain.push(0);
    this.cover.push(cover);
    this.splitBin.push(0);
    this.missingBin.push(0);
    this.rangeBegin.push(0);
    this.rangeEnd.push(0);
    return this.feature.length - 1;
  }
}

function validate(data: GbdtDataset, label: string): string | null {
  if (!Number.isInteger(data.rowCount) || data.rowCount <= 0) return `${label}: rowCount must be a positive integer`;
  if (!Number.isInteger(data.featureCount) || data.featureCount <= 0) return `${label}: featureCount must be a positive integer`;
  if (data.values.length !== data.rowCount * data.featureCount) return `${label}: values.length must equal rowCount × featureCount`;
  if (data.labels.length !== data.rowCount) return `${label}: labels.length must equal rowCount`;
  for (let i = 0; i < data.labels.length; i++) {
    if (data.labels[i] !== 0 && data.labels[i] !== 1) return `${label}: labels must be 0 or 1`;
  }
  return null;
}

function validateParams(p: GbdtParams): string | null {
  if (!(p.rounds >= 1)) return 'rounds must be ≥ 1';
  if (!(p.learningRate > 0)) return 'learningRate must be > 0';
  if (!(p.maxDepth >= 1)) return 'maxDepth must be ≥ 1';
  if (!(p.maxLeaves === 0 || p.maxLeaves >= 2)) return 'maxLeaves must be 0 or ≥ 2';
  if (!(p.minChildWeight >= 0)) return 'minChildWeight must be ≥ 0';
  if (!(p.lambda >= 0)) return 'lambda must be ≥ 0';
  if (!(p.gamma >= 0)) return 'gamma must be ≥ 0';
  if (!(p.subsample > 0 && p.subsample <= 1)) return 'subsample must be in (0, 1]';
  if (!(p.colsampleByTree > 0 && p.colsampleByTree <= 1)) return 'colsampleByTree must be in (0, 1]';
  if (!(p.maxBin >= 2 && p.maxBin <= 256)) return 'maxBin must be in [2, 256]';
  if (p.earlyStoppingRounds !== null && !(p.earlyStoppingRounds >= 1)) return 'earlyStoppingRounds must be ≥ 1 or null';
  return null;
}

/**
 * Accumulates (gradient, hessian) per slot over rows[begin, end). The hot loop of training.
 * `hist` is interleaved: hist[2s] = Σg, hist[2s+1] = Σh.
 */
function buildHistogram(
  hist: Float64Array,
  slots: Uint16Array | Uint32Array,
  featureCount: number,
  rows: Uint32Array,
  begin: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  hist.fill(0);
  // Two features per step: measured ~1.7× faster in V8 than the plain loop (more independent loads in flight).
  const pairEnd = featureCount - 1;
  for (let i = begin; i < end; i++) {
    const r = rows[i];
    const g = grad[r];
    const h = hess[r];
    const base = r * featureCount;
    let f = 0;
    for (; f < pairEnd; f += 2) {
      const s = slots[base + f] << 1;
      const t = slots[base + f + 1] << 1;
      hist[s] += g;
      hist[s + 1] += h;
      hist[t] += g;
      hist[t + 1] += h;
    }
    if (f < featureCount) {
      const s = slots[base + f] << 1;
      hist[s] += g;
      hist[s + 1] += h;
    }
  }
}

/**
 * Sparse variant of `buildHistogram`: rows list only their non-default slots; each feature's default slot is then
 * filled with (node total − the feature's other slots).
 */
function buildHistogramSparse(
  hist: Float64Array,
  bm: BinnedMatrix,
  rows: Uint32Array,
  begin: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  hist.fill(0);
  const { rowStart, slots } = bm.sparse!;
  let totalG = 0;
  let totalH = 0;
  for (let i = begin; i < end; i++) {
    const r = rows[i];
    const g = grad[r];
    const h = hess[r];
    totalG += g;
    totalH += h;
    const stop = rowStart[r + 1];
    for (let k = rowStart[r]; k < stop; k++) {
      const s = slots[k] << 1;
      hist[s] += g;
      hist[s + 1] += h;
    }
  }
  const offset = bm.slotOffset;
  for (let f = 0; f < bm.featureCount; f++) {
    const d = bm.defaultSlot[f];
    let g = totalG;
    let h = totalH;
    for (let s = offset[f]; s < offset[f + 1]; s++) {
      if (s === d) continue;
      g -= hist[2 * s];
      h -= hist[2 * s + 1];
    }
    // Rounding can leave ±1e-17 where the true sum is 0; an empty default bin must look empty.
    if (h <= 1e-12 * totalH) {
      g = 0;
      h = 0;
    }
    hist[2 * d] = g;
    hist[2 * d + 1] = h;
  }
}

/**
 * Trains a binary-logloss gradient-boosted tree ensemble (Chen & Guestrin 2016, second-order boosting;
 * histogram split finding as LightGBM / XGBoost `hist`).
 * - Each round: g = p − y, h = p(1 − p); optional per-tree Bernoulli row sampling and feature sampling via `options.rng`.
 * - Trees grow best-first from the root (largest gain first); with maxLeaves = 0 this yields the same tree as level-wise growth.
 *   The smaller child's histogram is built from rows, the larger one is parent − smaller.
 * - Missing values (NaN): each split tries both directions and keeps the better one as `defaultLeft`; a split of
 *   missing versus all present values is a candidate too (threshold = the feature's minimum, default left).
 * - Leaf weight = −G/(H+λ) · eta, rounded to float32. Splits need both children's H ≥ minChildWeight; afterwards
 *   splits whose gain ≤ γ and whose children are leaves are pruned bottom-up.
 * - With a valid set, `bestRound` is the round of least validation logloss; with earlyStoppingRounds the model keeps
 *   only the trees up to it, otherwise all trees.
 * Deterministic: same data, params and rng seed → same model.
 */
export function trainGbdt(data: GbdtDataset, params: Partial<GbdtParams> = {}, options: TrainGbdtOptions = {}): TrainGbdtResult {
  const p: GbdtParams = { ...DEFAULT_GBDT_PARAMS, ...params };
  const problem = validate(data, 'train') ?? validateParams(p) ?? (options.valid ? validate(options.valid, 'valid') : null);
  if (problem) return { kind: 'invalid', reason: problem };
  if (options.valid && options.valid.featureCount !== data.featureCount) return { kind: 'invalid', reason: 'valid: featureCount differs from train' };
  if ((p.subsample < 1 || p.colsampleByTree < 1) && !options.rng) return { kind: 'invalid', reason: 'rng is required when subsample or colsampleByTree < 1' };
  if (p.earlyStoppingRounds !== null && !options.valid) return { kind: 'invalid', reason: 'earlyStoppingRounds needs a valid set' };

  const n = data.rowCount;
  const featureCount = data.featureCount;
  const featureNames = data.featureNames ?? Array.from({ length: featureCount }, (_, f) => `f${f}`);
  if (featureNames.length !== featureCount) return { kind: 'invalid', reason: 'featureNames.length must equal featureCount' };

  let positives = 0;
  for (let i = 0; i < n; i++) positives += data.labels[i];
  const prior = Math.min(Math.max(positives / n, 1e-6), 1 - 1e-6);
  const baseMargin = Math.fround(p.baseMargin ?? Math.log(prior / (1 - prior)));

  const bm = binMatrix(data.values, n, featureCount, p.maxBin, { layout: options.histogramLayout ?? 'auto' });
  const margin = new Float64Array(n).fill(baseMargin);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const prob = new Float64Array(n).fill(1 / (1 + Math.exp(-baseMargin)));
  const rows = new Uint32Array(n);
  const scratch = new Uint32Array(n);
  const histPool: Float64Array[] = [];
  const valid = options.valid;
  const validMargin = valid ? new Float64Array(valid.rowCount).fill(baseMargin) : null;
  const validProb = valid ? new Float64Array(valid.rowCount) : null;

  const trees: Tree[] = [];
  const history: RoundHistory[] = [];
  let bestRound = -1;
  let bestLoss = Infinity;
  const activeFeature = new Uint8Array(featureCount);

  for (let round = 0; round < p.rounds; round++) {
    for (let i = 0; i < n; i++) {
      const pr = prob[i];
      grad[i] = pr - data.labels[i];
      hess[i] = Math.max(pr * (1 - pr), 1e-16);
    }
    let m = 0;
    if (p.subsample < 1) {
      for (let i = 0; i < n; i++) if (options.rng!.next() < p.subsample) rows[m++] = i;
    } else {
      for (let i = 0; i < n; i++) rows[i] = i;
      m = n;
    }
    sampleFeatures(activeFeature, p.colsampleByTree, options.rng);

    const builder = growTree(bm, rows, scratch, m, grad, hess, activeFeature, p, histPool);
    const tree = finishTree(builder, p.gamma);
    trees.push(tree);

    if (m === n) applyTreeByRanges(builder, rows, margin);
    else applyTreeBinned(builder, bm, margin);
    for (let i = 0; i < n; i++) prob[i] = 1 / (1 + Math.exp(-margin[i]));
    const trainLoss = logloss(data.labels, prob);
    let validLoss: number | null = null;
    if (valid && validMargin && validProb) {
      predictTreeMargins(tree, valid.values, valid.rowCount, featureCount, validMargin);
      for (let i = 0; i < valid.rowCount; i++) validProb[i] = 1 / (1 + Math.exp(-validMargin[i]));
      validLoss = logloss(valid.labels, validProb);
      if (validLoss < bestLoss) {
        bestLoss = validLoss;
        bestRound = round;
      }
    } else {
      bestRound = round;
    }
    history.push({ round, trainLogloss: trainLoss, validLogloss: validLoss });
    if (p.earlyStoppingRounds !== null && round - bestRound >= p.earlyStoppingRounds) break;
  }

  const model: GbdtModel = {
    baseMargin,
    trees: p.earlyStoppingRounds !== null ? trees.slice(0, bestRound + 1) : trees,
    featureCount,
    featureNames: [...featureNames],
    params: p,
  };
  return { kind: 'trained', model, history, bestRound, roundsRun: history.length };
}

function sampleFeatures(active: Uint8Array, fraction: number, rng: Rng | undefined): void {
  const count = active.length;
  if (fraction >= 1 || !rng) {
    active.fill(1);
    return;
  }
  const k = Math.max(1, Math.round(count * fraction));
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.next() * (count - i));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  active.fill(0);
  for (let i = 0; i < k; i++) active[order[i]] = 1;
}

function takeHist(pool: Float64Array[], size: number): Float64Array {
  return pool.pop() ?? new Float64Array(size);
}

function mayBeSplittable(node: OpenNode, p: GbdtParams): boolean {
  return node.depth < p.maxDepth && node.h >= 2 * p.minChildWeight && node.end - node.begin >= 2;
}

function findBestSplit(node: OpenNode, bm: BinnedMatrix, active: Uint8Array, p: GbdtParams): SplitCandidate | null {
  if (!mayBeSplittable(node, p)) return null;
  const hist = node.hist;
  const { g, h } = node;
  const lambda = p.lambda;
  const mcw = p.minChildWeight;
  const parentScore = (g * g) / (h + lambda);
  let best: SplitCandidate | null = null;
  let bestGain = MIN_SPLIT_IMPROVEMENT / 2;
  for (let f = 0; f < bm.featureCount; f++) {
    if (!active[f]) continue;
    const start = bm.slotOffset[f];
    const missing = bm.slotOffset[f + 1] - 1;
    const gm = hist[2 * missing];
    const hm = hist[2 * missing + 1];
    const hasMissing = hm > 0;
    if (hasMissing) {
      // Missing alone versus every present value.
      const hr = h - hm;
      if (hm >= mcw && hr >= mcw) {
        const gr = g - gm;
        const gain = 0.5 * ((gm * gm) / (hm + lambda) + (gr * gr) / (hr + lambda) - parentScore);
        if (gain > bestGain) {
          bestGain = gain;
          best = { gain, feature: f, bin: -1, defaultLeft: true, gl: gm, hl: hm };
        }
      }
    }
    let gl = 0;
    let hl = 0;
    // The last value bin is never a split point (everything non-missing would go left).
    for (let s = start; s < missing - 1; s++) {
      gl += hist[2 * s];
      hl += hist[2 * s + 1];
      // Missing goes right.
      let hr = h - hl;
      if (hl >= mcw && hr >= mcw) {
        const gr = g - gl;
        const gain = 0.5 * ((gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore);
        if (gain > bestGain) {
          bestGain = gain;
          best = { gain, feature: f, bin: s - start, defaultLeft: false, gl, hl };
        }
      }
      if (hasMissing) {
        const glm = gl + gm;
        const hlm = hl + hm;
        hr = h - hlm;
        if (hlm >= mcw && hr >= mcw) {
          const gr = g - glm;
          const gain = 0.5 * ((glm * glm) / (hlm + lambda) + (gr * gr) / (hr + lambda) - parentScore);
          if (gain > bestGain) {
            bestGain = gain;
            best = { gain, feature: f, bin: s - start, defaultLeft: true, gl: glm, hl: hlm };
          }
        }
      }
    }
  }
  return best;
}

function leafWeight(g: number, h: number, p: GbdtParams): number {
  return Math.fround((-g / (h + p.lambda)) * p.learningRate);
}

function growTree(
  bm: BinnedMatrix,
  rows: Uint32Array,
  scratch: Uint32Array,
  m: number,
  grad: Float64Array,
  hess: Float64Array,
  active: Uint8Array,
  p: GbdtParams,
  pool: Float64Array[],
): TreeBuilder {
  const builder = new TreeBuilder();
  const histSize = 2 * bm.totalSlots;
  const goLeftByBin = new Uint8Array(65536);
  const F = bm.featureCount;
  let g = 0;
  let h = 0;
  for (let i = 0; i < m; i++) {
    g += grad[rows[i]];
    h += hess[rows[i]];
  }
  const rootHist = takeHist(pool, histSize);
  if (bm.sparse) buildHistogramSparse(rootHist, bm, rows, 0, m, grad, hess);
  else buildHistogram(rootHist, bm.slots, F, rows, 0, m, grad, hess);
  const root: OpenNode = { id: builder.add(leafWeight(g, h, p), h), begin: 0, end: m, depth: 0, hist: rootHist, g, h, split: null };
  builder.rangeEnd[root.id] = m;
  root.split = findBestSplit(root, bm, active, p);
  const open: OpenNode[] = [];
  if (root.split) open.push(root);
  else pool.push(root.hist);
  let leaves = 1;
  while (open.length > 0 && (p.maxLeaves === 0 || leaves < p.maxLeaves)) {
    let bi = 0;
    for (let i = 1; i < open.length; i++) if (open[i].split!.gain > open[bi].split!.gain) bi = i;
    const node = open[bi];
    open.splice(bi, 1);
    const split = node.split!;
    const f = split.feature;
    const missingSlot = bm.slotOffset[f + 1] - 1;
    const defaultLeft = split.defaultLeft;

    // Stable partition of rows[begin, end) into left then right.
    const slots = bm.slots;
    const bins = bm.bins;
    const column = f * bm.rowCount;
    const splitBin = split.bin;
    const missingBin = missingSlot - bm.slotOffset[f];
    // Branch-free: a per-bin direction table, and every row written to both sides (l ≤ i, so rows[l] is already read).
    for (let b = 0; b < missingBin; b++) goLeftByBin[b] = b <= splitBin ? 1 : 0;
    goLeftByBin[missingBin] = defaultLeft ? 1 : 0;
    let l = node.begin;
    let r = 0;
    for (let i = node.begin; i < node.end; i++) {
      const row = rows[i];
      const goLeft = goLeftByBin[bins[column + row]];
      rows[l] = row;
      scratch[r] = row;
      l += goLeft;
      r += 1 - goLeft;
    }
    rows.set(scratch.subarray(0, r), l);

    const gl = split.gl;
    const hl = split.hl;
    const gr = node.g - gl;
    const hr = node.h - hl;
    const leftId = builder.add(leafWeight(gl, hl, p), hl);
    const rightId = builder.add(leafWeight(gr, hr, p), hr);
    builder.feature[node.id] = f;
    builder.threshold[node.id] = split.bin === -1 ? bm.minValue[f] : bm.cuts[f][split.bin];
    builder.left[node.id] = leftId;
    builder.right[node.id] = rightId;
    builder.defaultLeft[node.id] = defaultLeft ? 1 : 0;
    builder.gain[node.id] = split.gain;
    builder.splitBin[node.id] = splitBin;
    builder.missingBin[node.id] = missingBin;
    leaves++;

    const leftCount = l - node.begin;
    const rightCount = node.end - l;
    const parent = node.hist;
    builder.rangeBegin[leftId] = node.begin;
    builder.rangeEnd[leftId] = l;
    builder.rangeBegin[rightId] = l;
    builder.rangeEnd[rightId] = node.end;
    const left: OpenNode = { id: leftId, begin: node.begin, end: l, depth: node.depth + 1, hist: parent, g: gl, h: hl, split: null };
    const right: OpenNode = { id: rightId, begin: l, end: node.end, depth: node.depth + 1, hist: parent, g: gr, h: hr, split: null };
    // Children that can never split (depth limit, too little hessian) need no histogram at all.
    const leftSplittable = mayBeSplittable(left, p);
    const rightSplittable = mayBeSplittable(right, p);
    if (!leftSplittable && !rightSplittable) {
      pool.push(parent);
      continue;
    }
    const [small, large] = leftCount <= rightCount ? [left, right] : [right, left];
    const smallHist = takeHist(pool, histSize);
    if (bm.sparse) buildHistogramSparse(smallHist, bm, rows, small.begin, small.end, grad, hess);
    else buildHistogram(smallHist, slots, F, rows, small.begin, small.end, grad, hess);
    small.hist = smallHist;
    if (mayBeSplittable(large, p)) {
      for (let i = 0; i < histSize; i++) parent[i] -= smallHist[i];
      large.hist = parent;
    } else {
      pool.push(parent);
    }
    if (!mayBeSplittable(small, p)) pool.push(smallHist);
    for (const child of [left, right]) {
      if (!mayBeSplittable(child, p)) continue;
      child.split = findBestSplit(child, bm, active, p);
      if (child.split) open.push(child);
      else pool.push(child.hist);
    }
  }
  for (const node of open) pool.push(node.hist);
  return builder;
}

/** Adds each final leaf's weight to the margins of the rows partitioned into it (valid when every row was in the sample). */
function applyTreeByRanges(builder: TreeBuilder, rows: Uint32Array, margin: Float64Array): void {
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (builder.feature[node] !== -1) {
      stack.push(builder.left[node], builder.right[node]);
      continue;
    }
    const w = builder.weight[node];
    const end = builder.rangeEnd[node];
    for (let i = builder.rangeBegin[node]; i < end; i++) margin[rows[i]] += w;
  }
}

/** Adds the new tree's training-time routing (on bins) to every training row's margin. */
function applyTreeBinned(builder: TreeBuilder, bm: BinnedMatrix, margin: Float64Array): void {
  const n = bm.rowCount;
  const bins = bm.bins;
  const feature = builder.feature;
  const left = builder.left;
  const right = builder.right;
  const splitBin = builder.splitBin;
  const missingBin = builder.missingBin;
  const defaultLeft = builder.defaultLeft;
  const weight = builder.weight;
  for (let r = 0; r < n; r++) {
    let node = 0;
    while (feature[node] !== -1) {
      const b = bins[feature[node] * n + r];
      const goLeft = b === missingBin[node] ? defaultLeft[node] === 1 : b <= splitBin[node];
      node = goLeft ? left[node] : right[node];
    }
    margin[r] += weight[node];
  }
}

/** Post-prunes by γ (bottom-up, like XGBoost's prune updater) and renumbers nodes depth-first into a compact Tree. */
function finishTree(builder: TreeBuilder, gamma: number): Tree {
  const prune = (node: number): void => {
    if (builder.feature[node] === -1) return;
    prune(builder.left[node]);
    prune(builder.right[node]);
    if (builder.feature[builder.left[node]] === -1 && builder.feature[builder.right[node]] === -1 && builder.gain[node] <= gamma) {
      builder.feature[node] = -1;
      builder.left[node] = -1;
      builder.right[node] = -1;
      builder.gain[node] = 0;
      builder.defaultLeft[node] = 0;
    }
  };
  prune(0);
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop()!;
    order.push(node);
    if (builder.feature[node] !== -1) stack.push(builder.right[node], builder.left[node]);
  }
  const newId = new Map<number, number>();
  order.forEach((old, i) => newId.set(old, i));
  const size = order.length;
  const tree: Tree = {
    feature: new Int32Array(size),
    threshold: new Float32Array(size),
    left: new Int32Array(size),
    right: new Int32Array(size),
    defaultLeft: new Uint8Array(size),
    leafValue: new Float32Array(size),
    gain: new Float64Array(size),
    cover: new Float64Array(size),
  };
  order.forEach((old, i) => {
    const isLeaf = builder.feature[old] === -1;
    tree.feature[i] = builder.feature[old];
    tree.threshold[i] = isLeaf ? 0 : builder.threshold[old];
    tree.left[i] = isLeaf ? -1 : newId.get(builder.left[old])!;
    tree.right[i] = isLeaf ? -1 : newId.get(builder.right[old])!;
    tree.defaultLeft[i] = builder.defaultLeft[old];
    tree.leafValue[i] = builder.weight[old];
    tree.gain[i] = builder.gain[old];
    tree.cover[i] = builder.cover[old];
  });
  return tree;
}
