/**
 * Dense training / scoring data. `values` is row-major (`values[row * featureCount + feature]`),
 * NaN marks a missing value. Values are float32 so that thresholds chosen from them route rows
 * identically in the trainer, in `predictMargin` and in a float32 ONNX runtime.
 */
export interface GbdtDataset {
  rowCount: number;
  featureCount: number;
  values: Float32Array;
  /** 0/1 click labels, one per row. */
  labels: Float32Array;
  featureNames?: string[];
}

/**
 * One regression tree as flat arrays indexed by node id (root = 0).
 * Internal node: go to `left[n]` iff `x[feature[n]] < threshold[n]`, else `right[n]`; NaN goes left iff `defaultLeft[n] === 1`.
 * Leaf: `feature[n] === -1`, `left[n] === right[n] === -1`, and the margin contribution is `leafValue[n]`.
 * `leafValue` of an internal node holds the weight it would have had as a leaf (XGBoost's base_weight).
 */
export interface Tree {
  feature: Int32Array;
  /** Exactly representable in float32. */
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  defaultLeft: Uint8Array;
  /** Already multiplied by the learning rate; float32-representable. */
  leafValue: Float32Array;
  /** Split gain (0 at leaves) as `splitGain` defines it, i.e. with the ½ (= XGBoost's loss_change / 2). */
  gain: Float64Array;
  /** Sum of hessians of the training rows that reached the node. */
  cover: Float64Array;
}

export interface GbdtParams {
  /** Maximum number of boosting rounds (trees). */
  rounds: number;
  /** Shrinkage eta applied to every leaf weight. */
  learningRate: number;
  /** Maximum depth of a tree (root at depth 0). */
  maxDepth: number;
  /** Maximum number of leaves per tree, 0 = unlimited (then growth is level-wise equivalent). */
  maxLeaves: number;
  /** Minimum hessian sum in each child. */
  minChildWeight: number;
  /** L2 regularisation on leaf weights. */
  lambda: number;
  /** Minimum split gain (same ½-scaled units as `splitGain`); splits at or below it are pruned. */
  gamma: number;
  /** Fraction of rows sampled (Bernoulli) per tree; 1 = all. */
  subsample: number;
  /** Fraction of features sampled (without replacement) per tree; 1 = all. */
  colsampleByTree: number;
  /** Maximum number of value bins per feature (2..256), quantile-cut from the training data; NaN gets an extra bin. */
  maxBin: number;
  /** Stop when validation logloss has not improved for this many rounds; null = never. */
  earlyStoppingRounds: number | null;
  /** Initial margin; null = logit of the training positive rate. */
  baseMargin: number | null;
}

export const DEFAULT_GBDT_PARAMS: Readonly<GbdtParams> = Object.freeze({
  rounds: 100,
  learningRate: 0.3,
  maxDepth: 6,
  maxLeaves: 0,
  minChildWeight: 1,
  lambda: 1,
  gamma: 0,
  subsample: 1,
  colsampleByTree: 1,
  maxBin: 256,
  earlyStoppingRounds: null,
  baseMargin: null,
});

export interface GbdtModel {
  /** Margin (log-odds) added before the trees. */
  baseMargin: number;
  trees: Tree[];
  featureCount: number;
  featureNames: string[];
  params: GbdtParams;
}

export interface RoundHistory {
  round: number;
  trainLogloss: number;
  validLogloss: number | null;
}
