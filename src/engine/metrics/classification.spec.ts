import { auc, calibration, calibrationCurve, logloss, normalizedEntropy, rmse, rocCurve } from './classification';

describe('classification metrics', () => {
  // Golden values computed by hand (and cross-checked with sklearn 1.2).
  it.each([
    { labels: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8], auc: 0.75 },
    { labels: [0, 1], scores: [0.5, 0.5], auc: 0.5 },
    { labels: [1, 0, 1, 0, 1], scores: [0.9, 0.1, 0.8, 0.2, 0.7], auc: 1 },
    { labels: [1, 0, 1, 0], scores: [0.2, 0.2, 0.2, 0.9], auc: 0.25 },
  ])('auc($labels, $scores) = $auc', ({ labels, scores, auc: expected }) => {
    expect(auc(labels, scores)).toBeCloseTo(expected, 12);
  });

  it('auc is NaN with one class', () => {
    expect(auc([1, 1], [0.1, 0.2])).toBeNaN();
  });

  it.each([
    { labels: [1, 0], p: [0.5, 0.5], loss: Math.LN2 },
    { labels: [1, 0], p: [0.9, 0.2], loss: -(Math.log(0.9) + Math.log(0.8)) / 2 },
    { labels: [1], p: [0], loss: -Math.log(1e-15) },
  ])('logloss($labels, $p)', ({ labels, p, loss }) => {
    expect(logloss(labels, p)).toBeCloseTo(loss, 12);
  });

  it('rmse, normalized entropy and calibration', () => {
    expect(rmse([1, 0], [0.5, 0.5])).toBeCloseTo(0.5, 12);
    // base rate 0.5 → background entropy ln2, predictions at 0.5 → NE = 1
    expect(normalizedEntropy([1, 0], [0.5, 0.5])).toBeCloseTo(1, 12);
    expect(calibration([1, 0, 0, 0], [0.5, 0.25, 0.25, 0])).toBeCloseTo(1, 12);
  });

  it('calibration curve and ROC curve', () => {
    expect(calibrationCurve([1, 0, 1], [0.05, 0.05, 0.95], 2)).toEqual([
      { meanPrediction: 0.05, observedRate: 0.5, count: 2 },
      { meanPrediction: 0.95, observedRate: 1, count: 1 },
    ]);
    const roc = rocCurve([0, 1, 1, 0], [0.1, 0.9, 0.6, 0.6]);
    expect(roc.map((p) => [p.falsePositiveRate, p.truePositiveRate])).toEqual([[0, 0], [0, 0.5], [0.5, 1], [1, 1]]);
  });
});
