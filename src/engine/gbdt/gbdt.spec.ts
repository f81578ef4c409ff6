import { logloss } from '../metrics/classification';
import { createRng, normal } from '../util/rng';
import { binMatrix, quantileCuts, valueBin } from './binning';
import { dumpModel, featureImportance, predictMargin, predictProba } from './predict';
import { modelFromJson, modelToJson } from './serialize';
import { splitGain, trainGbdt, TrainGbdtResult } from './train';
import { GbdtDataset, GbdtParams } from './types';
import { xgboostJsonToModel } from './xgboost-import';

function dataset(rows: number[][], labels: number[]): GbdtDataset {
  return {
    rowCount: rows.length,
    featureCount: rows[0].length,
    values: Float32Array.from(rows.flat()),
    labels: Float32Array.from(labels),
  };
}

function trained(result: TrainGbdtResult) {
  if (result.kind !== 'trained') throw new Error(result.reason);
  return result;
}

function randomSet(rowCount: number, featureCount: number, seed: number, signal: boolean): GbdtDataset {
  const rng = createRng(seed);
  const values = new Float32Array(rowCount * featureCount);
  const labels = new Float32Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    for (let f = 0; f < featureCount; f++) values[r * featureCount + f] = rng.next() < 0.05 ? NaN : Math.round(normal(rng) * 8) / 4 + 0; // + 0 turns −0 into 0
    const x0 = values[r * featureCount] || 0;
    const x1 = values[r * featureCount + 1] || 0;
    const m = signal ? 1.2 * x0 - 0.7 * x1 : 0;
    labels[r] = rng.next() < 1 / (1 + Math.exp(-m)) ? 1 : 0;
  }
  return { rowCount, featureCount, values, labels };
}

const STUMP: Partial<GbdtParams> = { rounds: 1, maxDepth: 1, learningRate: 1, lambda: 1, minChildWeight: 0 };

describe('binning', () => {
  it.each([
    // distinct values ≤ maxBin: every value is its own bin and the cuts are the values above the minimum
    [[3, 1, 2, 2, NaN, 1], 4, [2, 3]],
    [[5, 5, 5], 4, []],
    [[NaN, NaN], 4, []],
    // 8 distinct values into 4 bins: cuts at ranks floor(b·n/4) of the sorted values
    [[1, 2, 3, 4, 5, 6, 7, 8], 4, [3, 5, 7]],
  ])('quantileCuts(%j, %d) = %j', (column, maxBin, cuts) => {
    expect(Array.from(quantileCuts(Float32Array.from(column), maxBin))).toEqual(cuts);
  });

  it.each([
    [-1, 0],
    [2, 1],
    [2.5, 1],
    [3, 2],
    [9, 2],
  ])('valueBin([2, 3], %d) = %d, so bin ≤ k ⇔ x < cuts[k]', (x, bin) => {
    expect(valueBin(Float32Array.from([2, 3]), x)).toBe(bin);
  });

  it('gives NaN the last slot of its feature and lays slots out per feature', () => {
    const bm = binMatrix(Float32Array.from([1, 10, NaN, 20, 3, 10]), 3, 2, 256);
    // feature 0 = [1, NaN, 3]: cuts [3] → value bins 0..1, missing bin 2; feature 1 = [10, 20, 10]: cuts [20], slots from 3
    expect(Array.from(bm.slotOffset)).toEqual([0, 3, 6]);
    expect(Array.from(bm.slots)).toEqual([0, 3, 2, 4, 1, 3]);
    expect(Array.from(bm.bins)).toEqual([0, 2, 1, 0, 1, 0]);
  });
});

describe('sparse histogram layout', () => {
  it('lists only non-default slots per row', () => {
    // feature 0 = [0, 0, 1, NaN]: default slot 0 (value 0); feature 1 = [5, 5, 5, 7]: slots from 3, default 3 (value 5)
    const bm = binMatrix(Float32Array.from([0, 5, 0, 5, 1, 5, NaN, 7]), 4, 2, 256, { layout: 'sparse' });
    expect(Array.from(bm.defaultSlot)).toEqual([0, 3]);
    expect(Array.from(bm.sparse!.rowStart)).toEqual([0, 0, 0, 1, 3]);
    expect(Array.from(bm.sparse!.slots)).toEqual([1, 2, 4]);
    expect(binMatrix(Float32Array.from([0, 5, 0, 5, 1, 5, NaN, 7]), 4, 2, 256, { layout: 'dense' }).sparse).toBeNull();
  });

  it.each([
    ['one-hot columns', 0],
    ['one-hot columns with missing values', 0.1],
  ])('trains the same trees as the dense layout on %s', (_name, missingRate) => {
    const rng = createRng(77);
    const rowCount = 3000;
    const F = 12;
    const values = new Float32Array(rowCount * F);
    const labels = new Float32Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      const active = Math.floor(rng.next() * F);
      for (let f = 0; f < F; f++) values[r * F + f] = rng.next() < missingRate ? NaN : f === active || rng.next() < 0.1 ? 1 : 0;
      labels[r] = rng.next() < (active < 4 ? 0.4 : 0.1) ? 1 : 0;
    }
    const data = { rowCount, featureCount: F, values, labels };
    const params: Partial<GbdtParams> = { rounds: 10, maxDepth: 4, minChildWeight: 0.5 };
    const dense = trained(trainGbdt(data, params, { histogramLayout: 'dense' })).model;
    const sparse = trained(trainGbdt(data, params, { histogramLayout: 'sparse' })).model;
    dense.trees.forEach((tree, t) => {
      expect(Array.from(sparse.trees[t].feature)).toEqual(Array.from(tree.feature));
      expect(Array.from(sparse.trees[t].threshold)).toEqual(Array.from(tree.threshold));
      expect(Array.from(sparse.trees[t].defaultLeft)).toEqual(Array.from(tree.defaultLeft));
    });
    const a = predictMargin(dense, values, rowCount);
    const b = predictMargin(sparse, values, rowCount);
    for (let i = 0; i < rowCount; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-6);
  });
});

describe('trainGbdt', () => {
  it('splitGain is ½[G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)]', () => {
    // G_L = 1, H_L = 0.5, G_R = −1, H_R = 0.5, λ = 1 → ½[1/1.5 + 1/1.5 − 0] = 2/3
    expect(splitGain(1, 0.5, -1, 0.5, 1)).toBeCloseTo(2 / 3, 12);
    // G_L = 2, H_L = 1, G_R = 0, H_R = 1, λ = 0 → ½[4 + 0 − 4/2] = 1
    expect(splitGain(2, 1, 0, 1, 0)).toBeCloseTo(1, 12);
  });

  it('learns a 1-feature step with the hand-computed split, leaves and gain', () => {
    // base margin logit(½) = 0 → p = ½, g = p − y = ±½, h = ¼. Split x < 3: G_L = 1, H_L = ½, G_R = −1, H_R = ½.
    // leaves −G/(H+λ) = ∓1/1.5, gain = 2/3, cover = ½ per child.
    const { model, history } = trained(trainGbdt(dataset([[1], [2], [3], [4]], [0, 0, 1, 1]), STUMP));
    const tree = model.trees[0];
    expect(model.baseMargin).toBe(0);
    expect(Array.from(tree.feature)).toEqual([0, -1, -1]);
    expect(tree.threshold[0]).toBe(3);
    expect(tree.leafValue[1]).toBeCloseTo(-2 / 3, 6);
    expect(tree.leafValue[2]).toBeCloseTo(2 / 3, 6);
    expect(tree.gain[0]).toBeCloseTo(2 / 3, 12);
    expect(Array.from(tree.cover)).toEqual([1, 0.5, 0.5]);
    const p = 1 / (1 + Math.exp(-Math.fround(2 / 3)));
    expect(history[0].trainLogloss).toBeCloseTo(-Math.log(p), 6);
    expect(dumpModel(model)).toBe(
      'booster[0]:\n0:[f0<3] yes=1,no=2,missing=2,gain=0.666667,cover=1\n\t1:leaf=-0.666667,cover=0.5\n\t2:leaf=0.666667,cover=0.5\n',
    );
  });

  it.each([
    // missing rows are positive like the high values → default right
    ['NaN with the positives', [0, 0, 1, 1, 1, 1], 0],
    // missing rows are negative like the low values → default left
    ['NaN with the negatives', [0, 0, 0, 0, 1, 1], 1],
  ])('learns the default direction for missing values: %s', (_name, labels, defaultLeft) => {
    const data = dataset([[1], [2], [NaN], [NaN], [3], [4]], labels);
    const { model } = trained(trainGbdt(data, STUMP));
    expect(model.trees[0].threshold[0]).toBe(3);
    expect(model.trees[0].defaultLeft[0]).toBe(defaultLeft);
    const margins = predictMargin(model, Float32Array.from([NaN, 1, 4]), 3);
    expect(margins[0]).toBe(defaultLeft ? margins[1] : margins[2]);
  });

  it('splits missing versus present when only missingness carries the label', () => {
    // base p = 1/3: g = p − y, h = 2/9. Missing rows (labels 1) alone on the left: G_L = 2(1/3 − 1) = −4/3, H_L = 4/9;
    // right: G_R = 4/3, H_R = 8/9. λ = 1 → gain = ½[(16/9)/(13/9) + (16/9)/(17/9) − 0] = ½(16/13 + 16/17).
    const data = dataset([[1], [2], [NaN], [NaN], [3], [4]], [0, 0, 1, 1, 0, 0]);
    const { model } = trained(trainGbdt(data, STUMP));
    const tree = model.trees[0];
    expect(tree.threshold[0]).toBe(1);
    expect(tree.defaultLeft[0]).toBe(1);
    expect(tree.gain[0]).toBeCloseTo(0.5 * (16 / 13 + 16 / 17), 9);
    const margins = predictMargin(model, Float32Array.from([NaN, 1, 4]), 3);
    expect(margins[0]).toBeGreaterThan(margins[1]);
    expect(margins[1]).toBe(margins[2]);
  });

  it('needs depth 2 for XOR: depth-2 trees separate all four cells, stumps cannot', () => {
    const rows: number[][] = [];
    const labels: number[] = [];
    // Unequal cell sizes so the first split has a positive gain (balanced XOR gives every single split zero gain).
    const cells: [number, number, number, number][] = [[0, 0, 0, 10], [0, 1, 1, 10], [1, 0, 1, 10], [1, 1, 0, 20]];
    for (const [a, b, y, count] of cells) for (let i = 0; i < count; i++) { rows.push([a, b]); labels.push(y); }
    const data = dataset(rows, labels);
    const deep = trained(trainGbdt(data, { rounds: 20, maxDepth: 2, learningRate: 0.5, minChildWeight: 0 })).model;
    const stumps = trained(trainGbdt(data, { rounds: 20, maxDepth: 1, learningRate: 0.5, minChildWeight: 0 })).model;
    const probe = Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
    const pd = predictProba(deep, probe, 4);
    expect(pd[0]).toBeLessThan(0.1);
    expect(pd[1]).toBeGreaterThan(0.9);
    expect(pd[2]).toBeGreaterThan(0.9);
    expect(pd[3]).toBeLessThan(0.1);
    // An additive model f(a) + g(b) has p00 + p11 ordering tied to p01 + p10; it cannot get all four right.
    const ps = predictProba(stumps, probe, 4);
    const correct = [ps[0] < 0.5, ps[1] > 0.5, ps[2] > 0.5, ps[3] < 0.5].filter(Boolean).length;
    expect(correct).toBeLessThan(4);
  });

  it('finds the same root split as a brute-force search over every threshold and missing direction', () => {
    const data = randomSet(300, 3, 11, true);
    const params: Partial<GbdtParams> = { rounds: 1, maxDepth: 1, learningRate: 1, lambda: 1, minChildWeight: 1 };
    const { model } = trained(trainGbdt(data, params));
    const base = model.baseMargin;
    const p0 = 1 / (1 + Math.exp(-base));
    let best = { gain: -Infinity, feature: -1, threshold: 0, defaultLeft: 0 };
    for (let f = 0; f < data.featureCount; f++) {
      const column = Array.from({ length: data.rowCount }, (_, r) => data.values[r * data.featureCount + f]);
      // Every present value is a threshold; the smallest one sends only missing values left (with defaultLeft).
      const thresholds = [...new Set(column.filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
      for (const t of thresholds) {
        for (const dl of [0, 1]) {
          let gl = 0, hl = 0, gr = 0, hr = 0;
          column.forEach((v, r) => {
            const g = p0 - data.labels[r];
            const h = p0 * (1 - p0);
            const left = Number.isNaN(v) ? dl === 1 : v < t;
            if (left) { gl += g; hl += h; } else { gr += g; hr += h; }
          });
          if (hl < 1 || hr < 1) continue;
          const gain = splitGain(gl, hl, gr, hr, 1);
          if (gain > best.gain + 1e-12) best = { gain, feature: f, threshold: t, defaultLeft: dl };
        }
      }
    }
    const tree = model.trees[0];
    expect(tree.feature[0]).toBe(best.feature);
    expect(tree.threshold[0]).toBe(best.threshold);
    expect(tree.gain[0]).toBeCloseTo(best.gain, 9);
  });

  it.each([
    ['all rows (margins from leaf ranges)', { rounds: 15, maxDepth: 4, maxBin: 16 }],
    ['row sampling (margins from binned routing)', { rounds: 15, maxDepth: 4, maxBin: 16, subsample: 0.6 }],
    ['max leaves', { rounds: 15, maxDepth: 8, maxLeaves: 5, maxBin: 256 }],
  ])('keeps training margins equal to predictMargin with %s, and float32 thresholds', (_name, params) => {
    const data = randomSet(2000, 5, 3, true);
    const result = trained(trainGbdt(data, params, { rng: createRng(1) }));
    const proba = predictProba(result.model, data.values, data.rowCount);
    expect(logloss(data.labels, proba)).toBeCloseTo(result.history[14].trainLogloss, 10);
    for (const tree of result.model.trees) for (const t of tree.threshold) expect(Math.fround(t)).toBe(t);
    for (let i = 1; i < result.history.length; i++) expect(result.history[i].trainLogloss).toBeLessThan(result.history[i - 1].trainLogloss);
  });

  it('stops early on validation logloss and keeps the trees up to the best round', () => {
    const trainSet = randomSet(400, 4, 21, false);
    const validSet = randomSet(400, 4, 22, false);
    const result = trained(
      trainGbdt(trainSet, { rounds: 200, maxDepth: 6, learningRate: 0.5, minChildWeight: 0, earlyStoppingRounds: 5 }, { valid: validSet }),
    );
    expect(result.roundsRun).toBeLessThan(200);
    expect(result.roundsRun).toBe(result.bestRound + 6);
    expect(result.model.trees).toHaveLength(result.bestRound + 1);
    const losses = result.history.map((h) => h.validLogloss!);
    expect(Math.min(...losses)).toBe(losses[result.bestRound]);
    const proba = predictProba(result.model, validSet.values, validSet.rowCount);
    expect(logloss(validSet.labels, proba)).toBeCloseTo(losses[result.bestRound], 10);
  });

  it('keeps every tree when a valid set is given without early stopping', () => {
    const trainSet = randomSet(400, 4, 21, false);
    const validSet = randomSet(400, 4, 22, false);
    const result = trained(trainGbdt(trainSet, { rounds: 30, maxDepth: 6, learningRate: 0.5, minChildWeight: 0 }, { valid: validSet }));
    expect(result.model.trees).toHaveLength(30);
    expect(result.bestRound).toBeLessThan(29);
  });

  it('ranks the informative feature first and counts splits', () => {
    // Feature 1 alone decides the label; feature 0 is constant so it can never split.
    const { model } = trained(trainGbdt(dataset([[7, 1], [7, 2], [7, 3], [7, 4]], [0, 0, 1, 1]), { ...STUMP, rounds: 3 }));
    expect(featureImportance(model, 'split')).toEqual([{ featureIndex: 1, featureName: 'f1', value: 3 }]);
    const gain = featureImportance(model, 'gain')[0];
    const total = featureImportance(model, 'totalGain')[0];
    expect(gain.featureIndex).toBe(1);
    expect(total.value).toBeCloseTo(gain.value * 3, 12);
    expect(featureImportance(model, 'totalGain')[0].value).toBeCloseTo(
      model.trees.reduce((s, t) => s + t.gain[0], 0),
      12,
    );
  });

  it('is deterministic for a seed and differs across seeds with row and column sampling', () => {
    const data = randomSet(1000, 6, 5, true);
    const params: Partial<GbdtParams> = { rounds: 8, maxDepth: 3, subsample: 0.7, colsampleByTree: 0.5 };
    const a = dumpModel(trained(trainGbdt(data, params, { rng: createRng(42) })).model);
    const b = dumpModel(trained(trainGbdt(data, params, { rng: createRng(42) })).model);
    const c = dumpModel(trained(trainGbdt(data, params, { rng: createRng(43) })).model);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it.each([2, 3, 5])('respects maxLeaves = %d', (maxLeaves) => {
    const data = randomSet(1000, 4, 9, true);
    const { model } = trained(trainGbdt(data, { rounds: 5, maxDepth: 10, maxLeaves, minChildWeight: 0 }));
    for (const tree of model.trees) {
      const leaves = Array.from(tree.feature).filter((f) => f === -1).length;
      expect(leaves).toBe(maxLeaves);
    }
  });

  it('prunes splits whose gain does not exceed gamma', () => {
    // The step split has gain 2/3 (see above).
    const data = dataset([[1], [2], [3], [4]], [0, 0, 1, 1]);
    expect(trained(trainGbdt(data, { ...STUMP, gamma: 0.6 })).model.trees[0].feature[0]).toBe(0);
    expect(trained(trainGbdt(data, { ...STUMP, gamma: 0.7 })).model.trees[0].feature.length).toBe(1);
  });

  it.each([
    ['empty data', { rowCount: 0, featureCount: 1, values: new Float32Array(0), labels: new Float32Array(0) }, {}, /rowCount/],
    ['non-binary labels', dataset([[1], [2]], [0, 2]), {}, /labels/],
    ['wrong values length', { rowCount: 2, featureCount: 2, values: new Float32Array(3), labels: new Float32Array(2) }, {}, /values.length/],
    ['subsampling without rng', dataset([[1], [2]], [0, 1]), { subsample: 0.5 }, /rng/],
    ['early stopping without valid', dataset([[1], [2]], [0, 1]), { earlyStoppingRounds: 3 }, /valid/],
    ['maxBin too large', dataset([[1], [2]], [0, 1]), { maxBin: 300 }, /maxBin/],
  ])('rejects %s', (_name, data, params, reason) => {
    const result = trainGbdt(data as GbdtDataset, params as Partial<GbdtParams>);
    expect(result.kind).toBe('invalid');
    if (result.kind === 'invalid') expect(result.reason).toMatch(reason);
  });

  it('round-trips through JSON without changing predictions', () => {
    const data = randomSet(500, 3, 13, true);
    const { model } = trained(trainGbdt(data, { rounds: 5, maxDepth: 3 }));
    const json = JSON.parse(JSON.stringify(modelToJson(model)));
    const back = modelFromJson(json);
    if (back.kind !== 'ok') throw new Error(back.reason);
    expect(Array.from(predictMargin(back.model, data.values, data.rowCount))).toEqual(Array.from(predictMargin(model, data.values, data.rowCount)));
    expect(modelFromJson({ ...json, format: 'x' }).kind).toBe('invalid');
  });
});

describe('xgboostJsonToModel', () => {
  // A hand-written one-tree model: f1 < 0.5 → leaf −0.2 (missing goes left), else leaf 0.3; base_score 0.25.
  const tiny = {
    learner: {
      learner_model_param: { base_score: '2.5E-1', num_class: '0', num_feature: '2' },
      objective: { name: 'binary:logistic' },
      gradient_booster: {
        name: 'gbtree',
        model: {
          trees: [
            {
              split_indices: [1, 0, 0],
              split_conditions: [0.5, -0.2, 0.3],
              left_children: [1, -1, -1],
              right_children: [2, -1, -1],
              default_left: [1, 0, 0],
              base_weights: [0.1, -0.2, 0.3],
              loss_changes: [4, 0, 0],
              sum_hessian: [10, 4, 6],
              split_type: [0, 0, 0],
            },
          ],
        },
      },
    },
  };

  it.each([
    [[9, 0.4], Math.log(0.25 / 0.75) - 0.2],
    [[9, 0.5], Math.log(0.25 / 0.75) + 0.3],
    [[9, NaN], Math.log(0.25 / 0.75) - 0.2],
  ])('row %j has margin logit(0.25) + leaf = %d', (row, margin) => {
    const result = xgboostJsonToModel(tiny);
    if (result.kind !== 'ok') throw new Error(result.reason);
    expect(predictMargin(result.model, Float32Array.from(row), 1)[0]).toBeCloseTo(margin, 6);
    expect(result.model.trees[0].gain[0]).toBe(2);
  });

  it.each([
    ['no learner', {}],
    ['multi-class objective', { learner: { ...tiny.learner, objective: { name: 'multi:softprob' } } }],
    ['dart', { learner: { ...tiny.learner, gradient_booster: { name: 'dart' } } }],
  ])('rejects %s', (_name, json) => {
    expect(xgboostJsonToModel(json).kind).toBe('invalid');
  });
});
