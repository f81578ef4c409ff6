import { Injectable } from '@nestjs/common';
import type { GbdtParams } from '../../engine/gbdt';
import { DEFAULT_CRITERIA_OPTIONS, DEFAULT_TRANSFORM_OPTIONS, type CriteriaOptions, type TransformOptions } from './feature-pipeline';

/**
 * Knobs of automatic modeling. Defaults suit production; tests shorten the intervals. Plain fields so a
 * test (or a future config source) can change them on the running instance.
 */
@Injectable()
export class ModelingSettings {
  /** How often workers look for campaigns whose exploration budget is spent, and for due re-modeling. */
  checkIntervalMs = 5_000;
  /** Cadence of re-modeling campaigns that already have a model (default daily). */
  remodelCadenceMs = 24 * 3_600_000;
  /** Feedback window a run trains on. */
  trainingWindowMs = 14 * 24 * 3_600_000;
  /** Most recent labelled examples a run uses at most. */
  maxExamples = 50_000;
  minExamples = 100;
  minPositives = 5;
  minNegatives = 5;
  /** The newest fraction of examples (by decision time) is the validation set. */
  validFraction = 0.2;
  /** A candidate is promoted when its validation AUC beats the active version's by more than this (or there is none). */
  promotionMarginAuc = 0.005;
  /**
   * 'auc': a candidate becomes active when it beats the active version's AUC by the margin.
   * 'bandit-arm': the same, and the active model also joins, as a new arm at banditArmFloor, every
   * bandit branch that lists its campaign (the allocator then gives it the traffic it earns).
   */
  promotion: 'auc' | 'bandit-arm' = 'auc';
  banditArmFloor = 0.05;
  /** Largest allowed |ONNX − trainer| probability on the validation rows. */
  onnxTolerance = 1e-6;
  transform: TransformOptions = { ...DEFAULT_TRANSFORM_OPTIONS };
  criteria: CriteriaOptions = { ...DEFAULT_CRITERIA_OPTIONS };
  gbdt: Partial<GbdtParams> = {
    rounds: 200,
    learningRate: 0.1,
    maxDepth: 4,
    maxLeaves: 0,
    minChildWeight: 1,
    lambda: 1,
    gamma: 0,
    subsample: 0.9,
    colsampleByTree: 0.9,
    maxBin: 256,
    earlyStoppingRounds: 20,
  };
  seed = 20261128;
}

export { campaignModelId } from '../delivery';
