import { selectBranch, type BranchSelected } from '../../engine/policy/select-branch';
import { createRng } from '../../engine/util/rng';
import { makeBranch, makeCampaign, makeSnapshot } from '../../../test/support/policy-fixtures';
import { BudgetedScorer } from './budgeted-scorer';
import { ExplainedScores, ScorerRegistry, type CandidateModel } from './scorer-registry';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const request = { slotId: 'slot-1', userId: 'u-1', platform: 'ios' as const, context: { hour: 21 } };
const selection = selectBranch(makeSnapshot([makeCampaign('a'), makeCampaign('b')], [makeBranch('m', ['a', 'b'], { method: 'model', modelId: 'ctr' })]), request, () => false, NOW, createRng(1)) as BranchSelected;
const profiles = { profile: (userId: string) => ({ region: 'east', userId }) };

function scorerWith(model: CandidateModel | null, clock: () => number = () => 0): BudgetedScorer {
  const registry = new ScorerRegistry();
  if (model) registry.register(model);
  return new BudgetedScorer(registry, profiles, 2, clock);
}
const model = (score: CandidateModel['score']): CandidateModel => ({ modelId: 'ctr', version: 'v7', score });

describe('BudgetedScorer', () => {
  it('answers a synchronous model synchronously, with its version and what it was given', () => {
    const answer = scorerWith(model(() => new Map([['a', 0.3]]))).score('ctr', selection, request);
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toMatchObject({ scores: new Map([['a', 0.3]]), version: 'v7', explain: null, input: { userId: 'u-1', context: { hour: 21 }, profile: { region: 'east', userId: 'u-1' }, nowMs: NOW } });
  });

  it("passes a model's explanation on", () => {
    const answer = scorerWith(model(() => new ExplainedScores([['a', 0.3]], { scorer: 'cold-start' }))).score('ctr', selection, request);
    expect(answer).toMatchObject({ explain: { scorer: 'cold-start' } });
  });

  it('a synchronous model that computes past the budget (by the injected clock) is unavailable', () => {
    let t = 0;
    const fiveMs = model(() => {
      t += 5;
      return new Map([['a', 0.3]]);
    });
    const answer = scorerWith(fiveMs, () => t).score('ctr', selection, request);
    expect(answer).toMatchObject({ scores: { kind: 'unavailable', reason: 'model ctr exceeded its 2 ms budget' }, version: 'v7' });
  });

  it.each([
    ['missing', null, { reason: 'model ctr is not available yet', version: null }],
    ['throwing', model(() => { throw new Error('weights corrupt'); }), { reason: 'model ctr failed: weights corrupt', version: 'v7' }],
    ['rejecting', model(() => Promise.reject(new Error('session closed'))), { reason: 'model ctr failed: session closed', version: 'v7' }],
    ['late', model(() => new Promise(() => undefined)), { reason: 'model ctr exceeded its 2 ms budget', version: 'v7' }],
  ])('a %s model is unavailable, saying why', async (_name, m, { reason, version }) => {
    const answer = await scorerWith(m).score('ctr', selection, request);
    expect(answer).toMatchObject({ scores: { kind: 'unavailable', reason }, version, explain: null, input: { userId: 'u-1' } });
  });

  it('an asynchronous model answering within the budget ranks', async () => {
    const answer = await scorerWith(model(async () => new Map([['b', 0.1]]))).score('ctr', selection, request);
    expect(answer).toMatchObject({ scores: new Map([['b', 0.1]]), version: 'v7' });
  });
});
