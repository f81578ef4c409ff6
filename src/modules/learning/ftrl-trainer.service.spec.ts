import type { AppConfig } from '../../config/config';
import { Registry } from 'prom-client';
import { createRng } from '../../engine/util/rng';
import type { LabelledExample } from '../labels';
import { FtrlTrainerService } from './ftrl-trainer.service';
import { LearningSettings } from './learning-settings';

function trainer(negativeSampleRate: number): FtrlTrainerService {
  const settings = Object.assign(new LearningSettings({ banditReweightMs: 600_000 } as AppConfig), { ftrlNegativeSampleRate: negativeSampleRate, ftrlValidationWindow: 100_000 });
  const snapshots = { current: () => ({ snapshot: { campaignsById: new Map() } }) };
  return new FtrlTrainerService({} as never, {} as never, snapshots as never, settings, {} as never, 'worker', { isHeld: true, beforeHolding: () => undefined } as never, {} as never, { registry: new Registry() } as never);
}

/** Two regions with click rates 0.02 and 0.10 on one campaign, drawn from a seeded rng. */
function stream(count: number, seed: number): LabelledExample[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const region = i % 2 ? 'east' : 'west';
    const label = rng.next() < (region === 'east' ? 0.1 : 0.02) ? 1 : 0;
    return { decisionId: `d${i}`, campaignId: 'c1', label, features: { user: { region }, context: {} } } as unknown as LabelledExample;
  });
}

describe('FtrlTrainerService.learn', () => {
  it.each([1, 0.5, 0.2])('stays calibrated with negatives kept at rate %p (importance-weighted)', (rate) => {
    const t = trainer(rate);
    const examples = stream(40_000, 11);
    t.learn(examples.slice(0, 30_000));
    const tail = examples.slice(30_000);
    t.learn(tail);
    const m = t.metrics();
    // Progressive validation covers every example, kept or dropped.
    expect(m.totalSeen).toBe(40_000);
    if (rate < 1) expect(m.examplesSeen).toBeLessThan(40_000 * (rate + (1 - rate) * 0.12));
    else expect(m.examplesSeen).toBe(40_000);
    // The stream's base rate is 0.06; calibration = mean(p) / observed rate.
    expect(m.calibration).toBeGreaterThan(0.85);
    expect(m.calibration).toBeLessThan(1.15);
    expect(m.auc).toBeGreaterThan(0.6);
  });
});
