import type { INestApplication } from '@nestjs/common';
import { createRng } from '../../src/engine/util/rng';
import { FeedbackSettings } from '../../src/modules/feedback/feedback-settings';
import { ScorerRegistry, type CandidateModel } from '../../src/modules/delivery/scorer-registry';
import { SIM_RANDOM_MODEL } from './strategies';

/** Attribution window of the in-process simulation: labels close within seconds, so models learn during the run. */
export const SIM_ATTRIBUTION_WINDOW_MS = 3_000;

/**
 * In-process adjustments for a simulation against an embedded app (not possible with --url):
 * the uniform-random scorer the 'random' strategy's slot names, and a short attribution window.
 */
export function prepareEmbeddedApp(app: Pick<INestApplication, 'get'>, seed: number): void {
  const rng = createRng(seed ^ 0x00c0ffee);
  const randomModel: CandidateModel = {
    modelId: SIM_RANDOM_MODEL,
    version: '1',
    score: (_input, candidates) => new Map(candidates.map((c) => [c.id, rng.next()])),
  };
  app.get(ScorerRegistry).register(randomModel);
  app.get(FeedbackSettings).attributionWindowMs = SIM_ATTRIBUTION_WINDOW_MS;
}
