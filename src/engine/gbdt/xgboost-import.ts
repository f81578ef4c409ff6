import { DEFAULT_GBDT_PARAMS, GbdtModel, Tree } from './types';

export type XgboostImportResult = { kind: 'ok'; model: GbdtModel } | { kind: 'invalid'; reason: string };

interface XgbTreeJson {
  split_indices: number[];
  split_conditions: number[];
  left_children: number[];
  right_children: number[];
  default_left: (number | boolean)[];
  base_weights?: number[];
  loss_changes?: number[];
  sum_hessian?: number[];
  split_type?: number[];
}

function isNumberArray(a: unknown, size: number): a is number[] {
  return Array.isArray(a) && a.length === size;
}

/**
 * Converts an XGBoost (1.x) `save_model` JSON of a `gbtree` booster with objective `binary:logistic`
 * (or `binary:logitraw`) into a GbdtModel.
 * - Nodes keep XGBoost's ids; a node is a leaf iff left_children = −1, and then its output is split_conditions (already × eta).
 * - Split rule is XGBoost's `x < split_condition` → left, NaN → default_left; conditions are float32 already.
 * - base_score is a probability for binary:logistic, so baseMargin = logit(base_score); for logitraw it is the margin.
 * - XGBoost's loss_changes lack the ½ of `splitGain`, so gain = loss_change / 2.
 * Categorical splits, dart boosters and multi-class models are rejected.
 */
export function xgboostJsonToModel(json: unknown): XgboostImportResult {
  const learner = (json as { learner?: Record<string, any> } | null)?.learner;
  if (!learner) return { kind: 'invalid', reason: 'not an XGBoost JSON model (no learner)' };
  const objective: string | undefined = learner.objective?.name;
  if (objective !== 'binary:logistic' && objective !== 'binary:logitraw') return { kind: 'invalid', reason: `unsupported objective ${objective}` };
  const booster = learner.gradient_booster;
  if (booster?.name !== 'gbtree') return { kind: 'invalid', reason: `unsupported booster ${booster?.name}` };
  const param = learner.learner_model_param ?? {};
  const numClass = Number(param.num_class ?? 0);
  if (numClass > 1) return { kind: 'invalid', reason: 'multi-class models are not supported' };
  const featureCount = Number(param.num_feature);
  if (!Number.isInteger(featureCount) || featureCount <= 0) return { kind: 'invalid', reason: 'num_feature missing' };
  const baseScore = Number(param.base_score);
  if (!Number.isFinite(baseScore)) return { kind: 'invalid', reason: 'base_score missing' };
  let baseMargin: number;
  if (objective === 'binary:logistic') {
    if (!(baseScore > 0 && baseScore < 1)) return { kind: 'invalid', reason: 'base_score must be in (0, 1) for binary:logistic' };
    baseMargin = Math.log(baseScore / (1 - baseScore));
  } else {
    baseMargin = baseScore;
  }

  const trees: Tree[] = [];
  const rawTrees: XgbTreeJson[] = booster.model?.trees ?? [];
  for (const [i, t] of rawTrees.entries()) {
    const size = t.left_children?.length ?? 0;
    if (size === 0) return { kind: 'invalid', reason: `tree ${i}: empty` };
    if (!isNumberArray(t.right_children, size) || !isNumberArray(t.split_indices, size) || !isNumberArray(t.split_conditions, size) || !Array.isArray(t.default_left) || t.default_left.length !== size) {
      return { kind: 'invalid', reason: `tree ${i}: array lengths differ` };
    }
    if (t.split_type?.some((s) => s !== 0)) return { kind: 'invalid', reason: `tree ${i}: categorical splits are not supported` };
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
    for (let n = 0; n < size; n++) {
      const isLeaf = t.left_children[n] === -1;
      tree.cover[n] = t.sum_hessian?.[n] ?? 0;
      if (isLeaf) {
        tree.feature[n] = -1;
        tree.left[n] = -1;
        tree.right[n] = -1;
        tree.leafValue[n] = t.split_conditions[n];
        continue;
      }
      const f = t.split_indices[n];
      const l = t.left_children[n];
      const r = t.right_children[n];
      if (!(f >= 0 && f < featureCount)) return { kind: 'invalid', reason: `tree ${i}: feature ${f} out of range` };
      if (!(l > 0 && l < size && r > 0 && r < size)) return { kind: 'invalid', reason: `tree ${i}: child out of range` };
      tree.feature[n] = f;
      tree.threshold[n] = t.split_conditions[n];
      tree.left[n] = l;
      tree.right[n] = r;
      tree.defaultLeft[n] = t.default_left[n] ? 1 : 0;
      tree.leafValue[n] = t.base_weights?.[n] ?? 0;
      tree.gain[n] = (t.loss_changes?.[n] ?? 0) / 2;
    }
    trees.push(tree);
  }
  const names: unknown = learner.feature_names;
  const featureNames =
    Array.isArray(names) && names.length === featureCount ? names.map(String) : Array.from({ length: featureCount }, (_, f) => `f${f}`);
  return { kind: 'ok', model: { baseMargin, trees, featureCount, featureNames, params: { ...DEFAULT_GBDT_PARAMS, rounds: trees.length } } };
}
