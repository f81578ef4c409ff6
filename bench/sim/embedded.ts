import type { INestApplication } from '@nestjs/common';
import { createRng } from '../../src/engine/util/rng';
import { FeedbackSettings } from '../../src/modules/feedback/feedback-settings';
import { LearningSettings } from '../../src/modules/learning/learning-settings';
import { ScorerRegistry, type CandidateModel } from '../../src/modules/delivery/scorer-registry';
import { SIM_GBDT_MODEL, SIM_RANDOM_MODEL } from './strategies';

/** Attribution window of the in-process simulation: labels close within seconds, so models learn during the run. */
export const SIM_ATTRIBUTION_WINDOW_MS = 3_000;
/** Bandit reweight cadence of the simulation (10 minutes by default): a run lasts minutes, not days. */
export const SIM_BANDIT_REWEIGHT_MS = 30_000;

/**
 * In-process adjustments for a simulation against an embedded app (not possible with --url):
 * the uniform-random scorer the 'random' strategy's slot names, a composite of the per-campaign
 * GBDT models for the 'gbdt' strategy, a short attribution window and a faster bandit reweight.
 */
export function prepareEmbeddedApp(app: Pick<INestApplication, 'get'>, seed: number): void {
  const rng = createRng(seed ^ 0x00c0ffee);
  const randomModel: CandidateModel = {
    modelId: SIM_RANDOM_MODEL,
    version: '1',
    score: (_input, candidates) => new Map(candidates.map((c) => [c.id, rng.next()])),
  };
  const registry = app.get(ScorerRegistry);
  registry.register(randomModel);
  // The modeling pipeline trains one GBDT per campaign (gbdt-<campaignId>, scoring only its campaign):
  // this composite asks each candidate's own model, so a branch can rank all campaigns by their GBDTs.
  const gbdtModel: CandidateModel = {
    modelId: SIM_GBDT_MODEL,
    get version() {
      return registry.list().filter((m) => m.modelId.startsWith('gbdt-')).map((m) => `${m.modelId}@${m.version}`).join(',') || 'none';
    },
    async score(input, candidates) {
      const scores = new Map<string, number>();
      await Promise.all(
        candidates.map(async (c) => {
          const model = registry.get(`gbdt-${c.id}`);
          if (!model) return;
          const own = await model.score(input, [c]);
          const p = own.get(c.id);
          if (p !== undefined && Number.isFinite(p)) scores.set(c.id, p);
        }),
      );
      return scores;
    },
  };
  registry.register(gbdtModel);
  app.get(FeedbackSettings).attributionWindowMs = SIM_ATTRIBUTION_WINDOW_MS;
  app.get(LearningSettings).banditReweightIntervalMs = SIM_BANDIT_REWEIGHT_MS;
}
