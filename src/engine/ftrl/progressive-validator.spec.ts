import { auc, logloss } from '../metrics/classification';
import { createRng } from '../util/rng';
import { ProgressiveValidator } from './progressive-validator';

describe('ProgressiveValidator', () => {
  it.each([
    [5, 3],
    [5, 5],
    [5, 12],
    [100, 1000],
  ])('window %d after %d adds equals metrics over the last pairs', (windowSize, adds) => {
    const rng = createRng(windowSize * 1000 + adds);
    const labels: number[] = [];
    const predictions: number[] = [];
    const validator = new ProgressiveValidator(windowSize);
    for (let i = 0; i < adds; i++) {
      const p = 0.05 + 0.9 * rng.next();
      const y = rng.next() < p ? 1 : 0;
      labels.push(y);
      predictions.push(p);
      validator.add(y, p);
    }
    const lastLabels = labels.slice(-windowSize);
    const lastPredictions = predictions.slice(-windowSize);
    const m = validator.metrics();
    expect(m.count).toBe(Math.min(windowSize, adds));
    expect(m.totalSeen).toBe(adds);
    expect(m.logloss).toBeCloseTo(logloss(lastLabels, lastPredictions), 12);
    const expectedAuc = auc(lastLabels, lastPredictions);
    if (Number.isNaN(expectedAuc)) expect(m.auc).toBeNaN();
    else expect(m.auc).toBeCloseTo(expectedAuc, 12);
    expect(m.positiveRate).toBeCloseTo(lastLabels.reduce((s, v) => s + v, 0) / lastLabels.length, 12);
  });

  it('hand-computed window of two: logloss = -(ln 0.8 + ln 0.6)/2, auc = 1', () => {
    const validator = new ProgressiveValidator(2);
    validator.add(1, 0.1); // evicted
    validator.add(1, 0.8);
    validator.add(0, 0.4);
    const m = validator.metrics();
    expect(m.logloss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.6)) / 2, 12);
    expect(m.auc).toBe(1);
    expect(m.calibration).toBeCloseTo(1.2, 12);
  });

  it('is empty before any prediction', () => {
    const m = new ProgressiveValidator(3).metrics();
    expect(m.count).toBe(0);
    expect(m.logloss).toBeNaN();
    expect(m.auc).toBeNaN();
  });
});
