import { FtrlProximal, FTRL_FORMAT_VERSION, type FtrlParams } from '../../engine/ftrl/ftrl-proximal';
import { FtrlScorer } from '../../engine/ftrl/ftrl-scorer';
import { modelFromJson, modelToJson, type GbdtModel, type GbdtModelJson } from '../../engine/gbdt';
import type { TransformSpec } from './feature-pipeline';

/**
 * GBDT+LR (He et al. 2014, "Practical Lessons from Predicting Clicks on Ads at Facebook"): each tree
 * maps a row to one of its leaves; the leaf ids, one-hot across all trees, are the features of a
 * logistic regression trained with FTRL-Proximal. Coordinate 0 is the (unregularised) bias; tree t's
 * node n is coordinate 1 + offset(t) + n, offset(t) = total node count of the trees before t.
 */
export interface GbdtLrArtifact {
  format: 'gbdt-lr/1';
  gbdt: GbdtModelJson;
  hashBits: number;
  indices: number[];
  weights: number[];
  transform: TransformSpec | null;
  features: string[];
}

export const DEFAULT_LR_PARAMS: Omit<FtrlParams, 'hashBits'> = { alpha: 0.1, beta: 1, l1: 0.5, l2: 1, biasIndex: 0 };

function offsets(model: GbdtModel): { offsets: Int32Array; total: number } {
  const out = new Int32Array(model.trees.length);
  let total = 1;
  model.trees.forEach((tree, t) => {
    out[t] = total;
    total += tree.feature.length;
  });
  return { offsets: out, total };
}

/** The FTRL coordinates of each row: [bias, leaf coordinate of tree 0, …]; routing as the trainer's (left iff x < threshold, NaN by defaultLeft). */
export function leafCoordinates(model: GbdtModel, values: ArrayLike<number>, rowCount: number): Int32Array[] {
  const { offsets: base } = offsets(model);
  const rows: Int32Array[] = [];
  for (let r = 0; r < rowCount; r++) {
    const coords = new Int32Array(model.trees.length + 1);
    const at = r * model.featureCount;
    model.trees.forEach((tree, t) => {
      let node = 0;
      while (tree.feature[node] !== -1) {
        const x = values[at + tree.feature[node]];
        node = x < tree.threshold[node] ? tree.left[node] : x === x ? tree.right[node] : tree.defaultLeft[node] === 1 ? tree.left[node] : tree.right[node];
      }
      coords[t + 1] = base[t] + node;
    });
    rows.push(coords);
  }
  return rows;
}

/** Trains the LR layer on the leaves of `model` over `passes` shuffled-free passes of the training rows. */
export function trainGbdtLr(
  model: GbdtModel,
  train: { values: Float32Array; labels: Float32Array; rowCount: number },
  options: { passes: number; params?: Omit<FtrlParams, 'hashBits'>; transform: TransformSpec | null; features: string[] },
): GbdtLrArtifact {
  const { total } = offsets(model);
  const hashBits = Math.max(1, Math.ceil(Math.log2(total)));
  const learner = new FtrlProximal({ ...(options.params ?? DEFAULT_LR_PARAMS), hashBits });
  let positives = 0;
  for (const y of train.labels) positives += y;
  const prior = Math.min(Math.max(positives / Math.max(1, train.rowCount), 1e-6), 1 - 1e-6);
  learner.initBias(Math.log(prior / (1 - prior)));
  const rows = leafCoordinates(model, train.values, train.rowCount);
  for (let pass = 0; pass < options.passes; pass++) rows.forEach((coords, r) => learner.update(coords, train.labels[r]));
  const weights = learner.exportWeights();
  if (weights.version !== FTRL_FORMAT_VERSION) throw new Error('unexpected FTRL weights format');
  return {
    format: 'gbdt-lr/1',
    gbdt: modelToJson(model),
    hashBits,
    indices: Array.from(weights.indices),
    weights: Array.from(weights.weights),
    transform: options.transform,
    features: options.features,
  };
}

/** A loaded GBDT+LR model: probabilities for rows of the GBDT's feature matrix. */
export class GbdtLrPredictor {
  private constructor(
    private readonly model: GbdtModel,
    private readonly scorer: FtrlScorer,
  ) {}

  static from(artifact: GbdtLrArtifact): GbdtLrPredictor {
    if (artifact.format !== 'gbdt-lr/1') throw new Error(`unknown GBDT+LR artifact format ${String(artifact.format)}`);
    const model = modelFromJson(artifact.gbdt);
    if (model.kind === 'invalid') throw new Error(`GBDT+LR trees are invalid: ${model.reason}`);
    const scorer = FtrlScorer.fromWeights({ version: FTRL_FORMAT_VERSION, hashBits: artifact.hashBits, indices: Uint32Array.from(artifact.indices), weights: Float64Array.from(artifact.weights) });
    if (scorer.kind === 'invalid') throw new Error(`GBDT+LR weights are invalid: ${scorer.reason}`);
    return new GbdtLrPredictor(model.model, scorer.value);
  }

  predict(values: ArrayLike<number>, rowCount: number): Float64Array {
    const out = new Float64Array(rowCount);
    leafCoordinates(this.model, values, rowCount).forEach((coords, r) => (out[r] = this.scorer.predict(coords)));
    return out;
  }
}
