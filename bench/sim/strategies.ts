/**
 * Each strategy is a slot with its own delivery policy over the same campaigns: the simulator
 * sends every request of the stream to every strategy's slot, so all see identical listeners.
 * The oracle is not a slot: it is the hidden CTR of the best campaign, computed client-side.
 */

export type StrategyName = 'random' | 'priority' | 'model' | 'gbdt' | 'bandit';
export const STRATEGIES: readonly StrategyName[] = ['random', 'priority', 'model', 'gbdt', 'bandit'];

/** A scorer the embedded simulator registers in the app (uniform random scores). */
export const SIM_RANDOM_MODEL = 'sim-random';
export const FTRL_MODEL = 'ftrl-main';
/** Embedded only: ranks each candidate by its own per-campaign GBDT (gbdt-<campaignId>). */
export const SIM_GBDT_MODEL = 'sim-gbdt';

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

export function branchOf(strategy: StrategyName, gbdtModelId: string): StrategyBranch {
  switch (strategy) {
    case 'random':
      return { name: 'random', audience: 'everyone', method: 'model', modelId: SIM_RANDOM_MODEL };
    case 'priority':
      return { name: 'priority', audience: 'everyone', method: 'priority' };
    case 'model':
      return { name: 'ftrl', audience: 'everyone', method: 'model', modelId: FTRL_MODEL };
    case 'gbdt':
      return { name: 'gbdt', audience: 'everyone', method: 'model', modelId: gbdtModelId };
    case 'bandit':
      return {
        name: 'bandit over models',
        audience: 'everyone',
        method: 'bandit',
        arms: [
          { modelId: FTRL_MODEL, floor: 0.05 },
          { modelId: gbdtModelId, floor: 0.05 },
          { modelId: 'random', floor: 0.05 },
        ],
      };
  }
}
