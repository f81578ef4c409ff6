import { CAMPAIGN_MODELS_ID } from '../../src/modules/delivery/builtin-scorers';
import { FTRL_MODEL_ID } from '../../src/modules/learning/learning-settings';

/**
 * Each strategy is a slot with its own delivery policy over the same campaigns: the simulator
 * sends every request of the stream to every strategy's slot, so all see identical listeners.
 * The oracle is not a slot: it is the hidden CTR of the best campaign, computed client-side.
 */

export type StrategyName = 'random' | 'priority' | 'model' | 'gbdt' | 'bandit';
export const STRATEGIES: readonly StrategyName[] = ['random', 'priority', 'model', 'gbdt', 'bandit'];

/** Model ids the strategies name: uniform random order, the online FTRL model, each campaign's own GBDT (gbdt-<campaignId>). */
export const RANDOM_MODEL = 'random';
export const FTRL_MODEL = FTRL_MODEL_ID;
export const CAMPAIGN_MODELS = CAMPAIGN_MODELS_ID;

/** Settings a simulation needs so that a run of minutes (not days) learns: labels close in 3 s, the bandit reweights every 30 s. */
export const SIM_ENV: Readonly<Record<string, string>> = { MUSICBOSS_ATTRIBUTION_WINDOW_MS: '3000', MUSICBOSS_BANDIT_REWEIGHT_MS: '30000', MUSICBOSS_MODEL_BUDGET_MS: '10' };

export interface StrategyBranch {
  name: string;
  audience: 'everyone';
  method: 'priority' | 'model' | 'bandit';
  modelId?: string;
  arms?: { modelId: string; floor: number }[];
}

export function slotKeyOf(strategy: StrategyName): string {
  return `sim-${strategy}`;
}

export function branchOf(strategy: StrategyName): StrategyBranch {
  switch (strategy) {
    case 'random':
      return { name: 'random', audience: 'everyone', method: 'model', modelId: RANDOM_MODEL };
    case 'priority':
      return { name: 'priority', audience: 'everyone', method: 'priority' };
    case 'model':
      return { name: 'ftrl', audience: 'everyone', method: 'model', modelId: FTRL_MODEL };
    case 'gbdt':
      return { name: 'gbdt', audience: 'everyone', method: 'model', modelId: CAMPAIGN_MODELS };
    case 'bandit':
      return {
        name: 'bandit over models',
        audience: 'everyone',
        method: 'bandit',
        arms: [
          { modelId: FTRL_MODEL, floor: 0.05 },
          { modelId: CAMPAIGN_MODELS, floor: 0.05 },
          { modelId: RANDOM_MODEL, floor: 0.05 },
        ],
      };
  }
}
