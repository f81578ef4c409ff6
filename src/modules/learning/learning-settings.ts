import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../platform/tokens';
import { DEFAULT_BANDIT_PARAMS } from '../../engine/bandit/thompson';

export const FTRL_MODEL_ID = 'ftrl-main';

/**
 * Online-learning knobs. Defaults follow the issue (publish ≤ 5 s, 5% floor, warm-up, 10-minute
 * reweights); tests shorten the cadences on the live instance.
 */
@Injectable()
export class LearningSettings {
  /** How often the FTRL trainer publishes a weights version when it has learned something new. */
  ftrlPublishIntervalMs = 5000;
  /** Keep this many FTRL versions in the registry (older ones and their states are pruned). */
  ftrlKeepVersions = 50;
  /** Keep each negative with this probability (1 = no down-sampling); kept ones get weight 1/rate. */
  ftrlNegativeSampleRate = 1;
  /** Progressive-validation window (predictions) behind the live logloss/AUC. */
  ftrlValidationWindow = 10_000;
  /** How often the bandit worker flushes evidence and checks whether a reweight is due. */
  banditTickMs = 1000;
  banditReweightIntervalMs: number;
  banditWarmupTrials = DEFAULT_BANDIT_PARAMS.warmupTrials;
  /** γ applied to the stored evidence at each reweight (1 = keep everything). */
  banditDiscount = DEFAULT_BANDIT_PARAMS.discount;
  banditMonteCarloDraws = DEFAULT_BANDIT_PARAMS.monteCarloDraws;
  /** Floor of an arm whose branch gives none. */
  banditDefaultFloor = DEFAULT_BANDIT_PARAMS.floor;
  /** How often API nodes poll the current allocations (pub/sub-free; a write is seen within this). */
  banditPollMs = 1000;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.banditReweightIntervalMs = config.banditReweightMs;
  }
}
