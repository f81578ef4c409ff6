import { GbdtModel, GbdtParams, Tree } from './types';

/** JSON-safe form of a GbdtModel (typed arrays become number arrays). */
export interface GbdtModelJson {
  format: 'musicboss-gbdt/1';
  baseMargin: number;
  featureCount: number;
  featureNames: string[];
  params: GbdtParams;
  trees: {
    feature: number[];
    threshold: number[];
    left: number[];
    right: number[];
    defaultLeft: number[];
    leafValue: number[];
    gain: number[];
    cover: number[];
  }[];
}

/** Converts a model to plain JSON (lossless: float32 values print exactly and parse back to the same float32). */
export function modelToJson(model: GbdtModel): GbdtModelJson {
  return {
    format: 'musicboss-gbdt/1',
    baseMargin: model.baseMargin,
    featureCount: model.featureCount,
    featureNames: [...model.featureNames],
    params: { ...model.params },
    trees: model.trees.map((t) => ({
      feature: Array.from(t.feature),
      threshold: Array.from(t.threshold),
      left: Array.from(t.left),
      right: Array.from(t.right),
      defaultLeft: Array.from(t.defaultLeft),
      leafValue: Array.from(t.leafValue),
      gain: Array.from(t.gain),
      cover: Array.from(t.cover),
    })),
  };
}

export type ModelFromJsonResult = { kind: 'ok'; model: GbdtModel } | { kind: 'invalid'; reason: string };

/** Inverse of `modelToJson`; checks the format tag, array lengths and child indices. */
export function modelFromJson(json: GbdtModelJson): ModelFromJsonResult {
  if (!json || json.format !== 'musicboss-gbdt/1') return { kind: 'invalid', reason: 'unknown format' };
  const trees: Tree[] = [];
  for (const [i, t] of json.trees.entries()) {
    const size = t.feature.length;
    const arrays = [t.threshold, t.left, t.right, t.defaultLeft, t.leafValue, t.gain, t.cover];
    if (size === 0 || arrays.some((a) => !Array.isArray(a) || a.length !== size)) return { kind: 'invalid', reason: `tree ${i}: array lengths differ` };
    for (let n = 0; n < size; n++) {
      if (t.feature[n] === -1) continue;
      if (t.feature[n] < 0 || t.feature[n] >= json.featureCount) return { kind: 'invalid', reason: `tree ${i}: feature out of range` };
      if (!(t.left[n] > 0 && t.left[n] < size && t.right[n] > 0 && t.right[n] < size)) return { kind: 'invalid', reason: `tree ${i}: child out of range` };
    }
    trees.push({
      feature: Int32Array.from(t.feature),
      threshold: Float32Array.from(t.threshold),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      defaultLeft: Uint8Array.from(t.defaultLeft),
      leafValue: Float32Array.from(t.leafValue),
      gain: Float64Array.from(t.gain),
      cover: Float64Array.from(t.cover),
    });
  }
  return {
    kind: 'ok',
    model: { baseMargin: json.baseMargin, featureCount: json.featureCount, featureNames: [...json.featureNames], params: { ...json.params }, trees },
  };
}
