/** Probability clamp shared by every logloss so that a confident miss costs ~34.5 nats, not Infinity. */
export const PROB_EPS = 1e-15;

function clampProb(p: number): number {
  return p < PROB_EPS ? PROB_EPS : p > 1 - PROB_EPS ? 1 - PROB_EPS : p;
}

/** Mean binary cross-entropy in nats. labels are 0/1; predictions are probabilities. */
export function logloss(labels: ArrayLike<number>, predictions: ArrayLike<number>): number {
  const n = labels.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = clampProb(predictions[i]);
    sum -= labels[i] > 0 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / n;
}

/** Root mean squared error between 0/1 labels and predicted probabilities (the Brier score's root). */
export function rmse(labels: ArrayLike<number>, predictions: ArrayLike<number>): number {
  const n = labels.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = labels[i] - predictions[i];
    sum += d * d;
  }
  return Math.sqrt(sum / n);
}

/**
 * ROC AUC by the rank-sum (Mann–Whitney U) formula, with tied scores given their average rank,
 * so it equals sklearn.metrics.roc_auc_score. NaN when a class is absent.
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSumPositives = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j + 2) / 2; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] > 0) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Normalized entropy (He et al. 2014, "Practical Lessons from Predicting Clicks on Ads at Facebook"):
 * logloss divided by the entropy of the background CTR. Below 1 means better than predicting the base rate.
 */
export function normalizedEntropy(labels: ArrayLike<number>, predictions: ArrayLike<number>): number {
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] > 0 ? 1 : 0;
  const p = clampProb(positives / n);
  const background = -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
  return logloss(labels, predictions) / background;
}

/** Ratio of the mean prediction to the observed positive rate; 1 is perfectly calibrated on average. */
export function calibration(labels: ArrayLike<number>, predictions: ArrayLike<number>): number {
  let sumP = 0;
  let sumY = 0;
  for (let i = 0; i < labels.length; i++) {
    sumP += predictions[i];
    sumY += labels[i] > 0 ? 1 : 0;
  }
  return sumY === 0 ? NaN : sumP / sumY;
}

export interface CalibrationBin {
  meanPrediction: number;
  observedRate: number;
  count: number;
}

/** Reliability diagram: predictions bucketed into equal-width bins over [0, 1]. Empty bins are omitted. */
export function calibrationCurve(labels: ArrayLike<number>, predictions: ArrayLike<number>, binCount = 10): CalibrationBin[] {
  const sumP = new Float64Array(binCount);
  const sumY = new Float64Array(binCount);
  const count = new Uint32Array(binCount);
  for (let i = 0; i < labels.length; i++) {
    const b = Math.min(binCount - 1, Math.floor(predictions[i] * binCount));
    sumP[b] += predictions[i];
    sumY[b] += labels[i] > 0 ? 1 : 0;
    count[b]++;
  }
  const bins: CalibrationBin[] = [];
  for (let b = 0; b < binCount; b++) {
    if (count[b] > 0) bins.push({ meanPrediction: sumP[b] / count[b], observedRate: sumY[b] / count[b], count: count[b] });
  }
  return bins;
}

export interface RocPoint {
  falsePositiveRate: number;
  truePositiveRate: number;
  threshold: number;
}

/** ROC curve points at each distinct score, highest threshold first, starting at (0,0). */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocPoint[] {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] > 0 ? 1 : 0;
  const negatives = n - positives;
  const points: RocPoint[] = [{ falsePositiveRate: 0, truePositiveRate: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    if (labels[order[i]] > 0) tp++;
    else fp++;
    if (i === n - 1 || scores[order[i + 1]] !== scores[order[i]]) {
      points.push({
        falsePositiveRate: negatives ? fp / negatives : 0,
        truePositiveRate: positives ? tp / positives : 0,
        threshold: scores[order[i]],
      });
    }
  }
  return points;
}
