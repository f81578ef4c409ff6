import { biasIndexOf, buildFeatures, DEFAULT_FEATURE_SPEC } from '../../engine/features/build-features';
import { DEFAULT_FTRL_PARAMS, FtrlProximal } from '../../engine/ftrl/ftrl-proximal';
import { FtrlScorer } from '../../engine/ftrl/ftrl-scorer';
import type { CompiledCampaign } from '../../engine/policy/snapshot';
import type { ScoringInput } from '../delivery';
import { FtrlCandidateModel } from './ftrl-candidate-model';

const campaigns = [
  { id: 'c-rock', tags: { genres: ['rock'], artists: [], languages: ['en'] } },
  { id: 'c-jazz', tags: { genres: ['jazz'], artists: ['Miles'], languages: [] } },
] as unknown as CompiledCampaign[];

const users = [
  { region: 'east', genres: ['rock'], vipLevel: 3, monthlyMinutes: 400 },
  { region: 'west', genres: ['jazz', 'pop'], vipLevel: 0, monthlyMinutes: 20 },
  {},
];

describe('FtrlCandidateModel', () => {
  it.each(users.map((user, i) => [i, user] as const))('scores user #%p exactly as the learner predicts on the training features', (_i, user) => {
    const learner = new FtrlProximal({ ...DEFAULT_FTRL_PARAMS, hashBits: DEFAULT_FEATURE_SPEC.hashBits, biasIndex: biasIndexOf(DEFAULT_FEATURE_SPEC) });
    // a little training so that weights are nonzero: rock fans click rock
    for (let step = 0; step < 50; step++) {
      for (const u of users) {
        for (const c of campaigns) {
          const label = (u as { genres?: string[] }).genres?.includes(c.tags.genres[0]) ? 1 : 0;
          learner.update(buildFeatures({ user: u as never, context: { genre: 'rock' }, campaign: c as never }, DEFAULT_FEATURE_SPEC), label);
        }
      }
    }
    const scorer = FtrlScorer.fromWeights(learner.exportWeights());
    if (scorer.kind !== 'ok') throw new Error(scorer.reason);
    const model = new FtrlCandidateModel('ftrl-main', '7', scorer.value);
    const input = { userId: 'u', platform: 'ios', slot: {} as never, context: { genre: 'rock' }, profile: user, nowMs: 0 } as ScoringInput;
    const scores = model.score(input, campaigns);
    for (const c of campaigns) {
      const expected = learner.predict(buildFeatures({ user: user as never, context: { genre: 'rock' }, campaign: c as never }, DEFAULT_FEATURE_SPEC));
      expect(scores.get(c.id)).toBeCloseTo(expected, 12);
    }
    expect(model.version).toBe('7');
  });

  it('ranks what the listener clicked in training first', () => {
    const learner = new FtrlProximal({ ...DEFAULT_FTRL_PARAMS, hashBits: DEFAULT_FEATURE_SPEC.hashBits, biasIndex: biasIndexOf(DEFAULT_FEATURE_SPEC) });
    for (let step = 0; step < 200; step++) {
      for (const c of campaigns) learner.update(buildFeatures({ user: users[0] as never, context: {}, campaign: c as never }, DEFAULT_FEATURE_SPEC), c.id === 'c-rock' ? 1 : 0);
    }
    const scorer = FtrlScorer.fromWeights(learner.exportWeights());
    if (scorer.kind !== 'ok') throw new Error(scorer.reason);
    const scores = new FtrlCandidateModel('ftrl-main', '1', scorer.value).score({ userId: 'u', platform: 'ios', slot: {} as never, context: {}, profile: users[0], nowMs: 0 }, campaigns);
    expect(scores.get('c-rock')!).toBeGreaterThan(0.9);
    expect(scores.get('c-jazz')!).toBeLessThan(0.1);
  });
});
