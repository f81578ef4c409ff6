import { GbdtModel, Tree } from './types';

/**
 * Adds one tree's output to `margin` for every row of a row-major matrix.
 * Routing: left iff x < threshold; NaN follows defaultLeft. Values are compared as given (float32 in, float32 thresholds).
 */
export function predictTreeMargins(tree: Tree, values: ArrayLike<number>, rowCount: number, featureCount: number, margin: Float64Array): void {
  const { feature, threshold, left, right, defaultLeft, leafValue } = tree;
  for (let r = 0; r < rowCount; r++) {
    const base = r * featureCount;
    let node = 0;
    while (feature[node] !== -1) {
      const x = values[base + feature[node]];
      node = x < threshold[node] ? left[node] : x === x ? right[node] : defaultLeft[node] === 1 ? left[node] : right[node];
    }
    margin[r] += leafValue[node];
  }
}

/**
 * Raw margins (log-odds) for `rowCount` rows of a row-major matrix with `model.featureCount` columns
 * (NaN = missing): baseMargin + Σ tree outputs.
 */
export function predictMargin(model: GbdtModel, values: ArrayLike<number>, rowCount: number): Float64Array {
  const margin = new Float64Array(rowCount).fill(model.baseMargin);
  for (const tree of model.trees) predictTreeMargins(tree, values, rowCount, model.featureCount, margin);
  return margin;
}

/** Click probabilities σ(margin) for `rowCount` rows; see `predictMargin`. */
export function predictProba(model: GbdtModel, values: ArrayLike<number>, rowCount: number): Float64Array {
  const margin = predictMargin(model, values, rowCount);
  for (let i = 0; i < rowCount; i++) margin[i] = 1 / (1 + Math.exp(-margin[i]));
  return margin;
}

export type ImportanceKind = 'gain' | 'totalGain' | 'split' | 'cover';

export interface FeatureImportance {
  featureIndex: number;
  featureName: string;
  value: number;
}

/**
 * Feature importance as XGBoost's get_score defines it: 'split' = number of splits on the feature,
 * 'totalGain' = Σ split gain, 'gain' = totalGain / split (average), 'cover' = average hessian cover.
 * Features never used are omitted; sorted by value descending, ties by feature index.
 */
export function featureImportance(model: GbdtModel, kind: ImportanceKind): FeatureImportance[] {
  const splits = new Float64Array(model.featureCount);
  const gains = new Float64Array(model.featureCount);
  const covers = new Float64Array(model.featureCount);
  for (const tree of model.trees) {
    for (let n = 0; n < tree.feature.length; n++) {
      const f = tree.feature[n];
      if (f === -1) continue;
      splits[f] += 1;
      gains[f] += tree.gain[n];
      covers[f] += tree.cover[n];
    }
  }
  const out: FeatureImportance[] = [];
  for (let f = 0; f < model.featureCount; f++) {
    if (splits[f] === 0) continue;
    const value = kind === 'split' ? splits[f] : kind === 'totalGain' ? gains[f] : kind === 'gain' ? gains[f] / splits[f] : covers[f] / splits[f];
    out.push({ featureIndex: f, featureName: model.featureNames[f] ?? `f${f}`, value });
  }
  return out.sort((a, b) => b.value - a.value || a.featureIndex - b.featureIndex);
}

/**
 * Text dump in the layout of XGBoost's `dump_model(with_stats=True)`:
 * `booster[t]:` then one line per node, indented by depth, e.g.
 * `0:[f2<0.5] yes=1,no=2,missing=1,gain=12.5,cover=40` and `\t1:leaf=0.25,cover=10`.
 */
export function dumpModel(model: GbdtModel): string {
  const lines: string[] = [];
  model.trees.forEach((tree, t) => {
    lines.push(`booster[${t}]:`);
    const visit = (node: number, depth: number): void => {
      const indent = '\t'.repeat(depth);
      const cover = round6(tree.cover[node]);
      if (tree.feature[node] === -1) {
        lines.push(`${indent}${node}:leaf=${round6(tree.leafValue[node])},cover=${cover}`);
        return;
      }
      const name = model.featureNames[tree.feature[node]] ?? `f${tree.feature[node]}`;
      const missing = tree.defaultLeft[node] === 1 ? tree.left[node] : tree.right[node];
      lines.push(
        `${indent}${node}:[${name}<${tree.threshold[node]}] yes=${tree.left[node]},no=${tree.right[node]},missing=${missing},gain=${round6(tree.gain[node])},cover=${cover}`,
      );
      visit(tree.left[node], depth + 1);
      visit(tree.right[node], depth + 1);
    };
    visit(0, 0);
  });
  return lines.join('\n') + '\n';
}

function round6(x: number): number {
  return Number(x.toPrecision(6));
}
