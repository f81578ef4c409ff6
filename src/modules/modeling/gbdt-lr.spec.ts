import { DEFAULT_GBDT_PARAMS, type GbdtModel, type Tree } from '../../engine/gbdt';
import { GbdtLrPredictor, leafCoordinates, trainGbdtLr } from './gbdt-lr';

/** A stump on feature f at threshold t (missing goes left iff defaultLeft). */
function stump(f: number, t: number, defaultLeft: 0 | 1): Tree {
  return {
    feature: Int32Array.from([f, -1, -1]),
    threshold: Float32Array.from([t, 0, 0]),
    left: Int32Array.from([1, -1, -1]),
    right: Int32Array.from([2, -1, -1]),
    defaultLeft: Uint8Array.from([defaultLeft, 0, 0]),
    leafValue: Float32Array.from([0, -0.5, 0.5]),
    gain: Float64Array.from([1, 0, 0]),
    cover: Float64Array.from([4, 2, 2]),
  };
}

const model: GbdtModel = { baseMargin: 0, trees: [stump(0, 0.5, 1), stump(1, 10, 0)], featureCount: 2, featureNames: ['a', 'b'], params: { ...DEFAULT_GBDT_PARAMS } };

describe('GBDT+LR', () => {
  it.each([
    // row (a, b) → [bias, tree 0 leaf coordinate (offset 1), tree 1 leaf coordinate (offset 1 + 3 = 4)]
    [[0.2, 20], [0, 2, 6]],
    [[0.5, 9], [0, 3, 5]], // a on the threshold goes right
    [[NaN, NaN], [0, 2, 6]], // tree 0 sends missing left, tree 1 right
  ])('routes %j to coordinates %j', (row, expected) => {
    expect(Array.from(leafCoordinates(model, row, 1)[0])).toEqual(expected);
  });

  it('learns leaf weights that separate the classes, and a reloaded artifact predicts the same', () => {
    // label = 1 exactly when a ≥ 0.5 (tree 0's right leaf)
    const rows = Array.from({ length: 40 }, (_, i) => [i % 2 ? 0.9 : 0.1, i % 3 ? 5 : 15]);
    const train = { values: Float32Array.from(rows.flat()), labels: Float32Array.from(rows, (r) => (r[0] >= 0.5 ? 1 : 0)), rowCount: rows.length };
    const artifact = trainGbdtLr(model, train, { passes: 20, transform: null, features: ['a', 'b'] });
    expect(artifact.hashBits).toBe(3); // 1 bias + 6 nodes = 7 coordinates
    const p = GbdtLrPredictor.from(JSON.parse(JSON.stringify(artifact))).predict(train.values, train.rowCount);
    for (let i = 0; i < rows.length; i++) {
      if (train.labels[i] === 1) expect(p[i]).toBeGreaterThan(0.7);
      else expect(p[i]).toBeLessThan(0.3);
    }
  });
});
