import { auc, calibration, logloss } from '../metrics/classification';

export interface ProgressiveMetrics {
  /** Predictions currently in the window (<= windowSize). */
  count: number;
  /** Total predictions ever added. */
  totalSeen: number;
  logloss: number;
  /** NaN while the window holds only one class. */
  auc: number;
  /** mean(p) / observed rate; NaN without positives. */
  calibration: number;
  positiveRate: number;
}

/**
 * Live metrics of progressive validation (each prediction scored before the learner saw its label)
 * over a sliding window of the last windowSize predictions. Metrics are computed on demand with the
 * shared classification metrics, O(windowSize · log windowSize) per call.
 */
export class ProgressiveValidator {
  private readonly labels: Float64Array;
  private readonly predictions: Float64Array;
  private next = 0;
  private total = 0;

  constructor(readonly windowSize: number) {
    if (!Number.isInteger(windowSize) || windowSize < 1) throw new RangeError('windowSize must be a positive integer');
    this.labels = new Float64Array(windowSize);
    this.predictions = new Float64Array(windowSize);
  }

  /** Records one (label ∈ {0,1}, prediction made before the update) pair, evicting the oldest when full. */
  add(label: number, prediction: number): void {
    this.labels[this.next] = label > 0 ? 1 : 0;
    this.predictions[this.next] = prediction;
    this.next = (this.next + 1) % this.windowSize;
    this.total++;
  }

  metrics(): ProgressiveMetrics {
    const count = Math.min(this.total, this.windowSize);
    const labels = this.labels.subarray(0, count);
    const predictions = this.predictions.subarray(0, count);
    let positives = 0;
    for (let i = 0; i < count; i++) positives += labels[i];
    return {
      count,
      totalSeen: this.total,
      logloss: logloss(labels, predictions),
      auc: count === 0 ? NaN : auc(labels, predictions),
      calibration: calibration(labels, predictions),
      positiveRate: count === 0 ? NaN : positives / count,
    };
  }
}
