import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { predictMargin, predictProba } from '../../engine/gbdt/predict';
import { trainGbdt } from '../../engine/gbdt/train';
import { GbdtModel } from '../../engine/gbdt/types';
import { xgboostJsonToModel } from '../../engine/gbdt/xgboost-import';
import { createRng, normal } from '../../engine/util/rng';
import { exportGbdtToOnnx } from './gbdt-onnx-export';
import { OnnxScorer } from './onnx-scorer';

const FIXTURE_DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'xgboost');

interface XgbExpected {
  featureCount: number;
  rows: (number | null)[][];
  probabilities: number[];
  margins: number[];
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Rows with NaNs plus, for every split of the first trees, a row sitting exactly on its threshold. */
function probeRows(model: GbdtModel, base: Float32Array, baseRows: number): { values: Float32Array; rowCount: number } {
  const F = model.featureCount;
  const extra: number[] = [];
  for (const tree of model.trees.slice(0, 10)) {
    for (let n = 0; n < tree.feature.length; n++) {
      if (tree.feature[n] === -1) continue;
      const row = Array.from(base.subarray((extra.length / F % baseRows) * F, (extra.length / F % baseRows) * F + F));
      row[tree.feature[n]] = tree.threshold[n];
      extra.push(...row);
    }
  }
  extra.push(...new Array(F).fill(NaN));
  const values = new Float32Array(base.length + extra.length);
  values.set(base);
  values.set(extra, base.length);
  return { values, rowCount: values.length / F };
}

function syntheticSet(rowCount: number, seed: number) {
  const F = 4;
  const rng = createRng(seed);
  const values = new Float32Array(rowCount * F);
  const labels = new Float32Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const x = [normal(rng), normal(rng), Math.floor(rng.next() * 5), normal(rng)];
    const m = 1.5 * x[0] - x[1] * (x[2] === 1 ? 1 : -0.5) + 0.5 * x[3] * x[0];
    labels[r] = rng.next() < 1 / (1 + Math.exp(-m)) ? 1 : 0;
    for (let f = 0; f < F; f++) values[r * F + f] = rng.next() < 0.1 ? NaN : x[f];
  }
  return { rowCount, featureCount: F, values, labels };
}

describe('ONNX export of GBDT models', () => {
  it('reproduces the trainer on validation rows, NaN rows and rows exactly on thresholds', async () => {
    const train = syntheticSet(3000, 7);
    const valid = syntheticSet(500, 8);
    const result = trainGbdt(train, { rounds: 40, maxDepth: 4, learningRate: 0.2 });
    if (result.kind !== 'trained') throw new Error(result.reason);
    const probe = probeRows(result.model, valid.values, valid.rowCount);
    expect(probe.rowCount).toBeGreaterThan(valid.rowCount + 10);
    const scorer = await OnnxScorer.load(exportGbdtToOnnx(result.model));
    const onnxProba = await scorer.predict(probe.values, probe.rowCount);
    await scorer.release();
    expect(onnxProba).toHaveLength(probe.rowCount);
    expect(maxAbsDiff(onnxProba, predictProba(result.model, probe.values, probe.rowCount))).toBeLessThanOrEqual(1e-6);
  });

  it('rejects an input of the wrong width', async () => {
    const train = syntheticSet(200, 1);
    const result = trainGbdt(train, { rounds: 2 });
    if (result.kind !== 'trained') throw new Error(result.reason);
    const scorer = await OnnxScorer.load(exportGbdtToOnnx(result.model));
    expect(scorer.featureCount).toBe(4);
    await expect(scorer.predict(new Float32Array(6), 2)).rejects.toThrow(RangeError);
    await scorer.release();
  });
});

describe('XGBoost fixture (test/fixtures/xgboost, made by bench/make-xgboost-fixture.py)', () => {
  const expected: XgbExpected = JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected.json'), 'utf8'));
  const imported = xgboostJsonToModel(JSON.parse(readFileSync(join(FIXTURE_DIR, 'model.json'), 'utf8')));
  const rows = Float32Array.from(expected.rows.flat().map((v) => (v === null ? NaN : v)));
  const rowCount = expected.rows.length;

  it('converts to a model whose margins and probabilities match XGBoost to 1e-6', () => {
    if (imported.kind !== 'ok') throw new Error(imported.reason);
    expect(imported.model.trees).toHaveLength(20);
    expect(imported.model.baseMargin).toBeCloseTo(Math.log(0.4 / 0.6), 7);
    expect(maxAbsDiff(predictMargin(imported.model, rows, rowCount), expected.margins)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(predictProba(imported.model, rows, rowCount), expected.probabilities)).toBeLessThanOrEqual(1e-6);
  });

  it('exported to ONNX reproduces XGBoost probabilities to 1e-6', async () => {
    if (imported.kind !== 'ok') throw new Error(imported.reason);
    const scorer = await OnnxScorer.load(exportGbdtToOnnx(imported.model));
    const proba = await scorer.predict(rows, rowCount);
    await scorer.release();
    expect(maxAbsDiff(proba, expected.probabilities)).toBeLessThanOrEqual(1e-6);
  });
});
