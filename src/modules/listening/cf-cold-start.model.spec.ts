import { buildItemNeighbors } from '../../engine/cf/item-similarity';
import type { CompiledCampaign } from '../../engine/policy/snapshot';
import { ExplainedScores, type CandidateModel, type ScoringInput } from '../delivery';
import { CfColdStartModel, listenerTagCount } from './cf-cold-start.model';
import { DEFAULT_COLD_START, checkColdStartSettings } from './cold-start-settings';
import { buildState, type ListeningState } from './listening-state.service';

// Items 0,1 are co-listened (rock), 2,3 co-listened (kpop); nobody plays across.
const matrix = { userCount: 4, itemCount: 4, users: Uint32Array.from([0, 0, 1, 1, 2, 2, 3, 3]), items: Uint32Array.from([0, 1, 0, 1, 2, 3, 2, 3]), plays: Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1]) };
const cf = { version: 4, iuf: buildItemNeighbors(matrix, { similarity: 'iuf', topK: 3 }), jaccard: buildItemNeighbors(matrix, { similarity: 'jaccard', topK: 3 }) };
const items = [
  { idx: 0, key: 'r0', name: 'Rock A', genre: 'rock', language: null },
  { idx: 1, key: 'r1', name: 'Rock B', genre: 'rock', language: null },
  { idx: 2, key: 'k0', name: 'Kpop A', genre: 'kpop', language: null },
  { idx: 3, key: 'k1', name: 'Kpop B', genre: 'kpop', language: null },
];
const history = new Map([['cold-rocker', [{ item: 1, plays: 3 }]]]);

function campaign(id: string, artists: string[], genres: string[] = []): CompiledCampaign {
  return { id, tags: { artists, genres, languages: [] } } as unknown as CompiledCampaign;
}
const rock = campaign('rock', ['Rock A']);
const kpop = campaign('kpop', [], ['kpop']);
const input = (userId: string, profile: Record<string, unknown> | null): ScoringInput => ({ userId, profile, platform: 'ios', slot: {} as ScoringInput['slot'], context: {}, nowMs: 0 });

function model(state: ListeningState, feedback = new Map<string, { impressions: number; clicks: number }>(), warm?: CandidateModel) {
  return new CfColdStartModel('cf', { state: () => state, feedback: () => feedback, model: (id) => (warm?.modelId === id ? warm : undefined) });
}

describe('CfColdStartModel', () => {
  it('scores a cold listener by item-CF affinity and says why', () => {
    const scores = model(buildState(items, history, cf, null, DEFAULT_COLD_START)).score(input('cold-rocker', { genres: ['rock'] }), [rock, kpop]) as ExplainedScores;
    expect(scores).toBeInstanceOf(ExplainedScores);
    // rock's item 0 and the listener's item 1 share both listeners: IUF = 2·(1/ln 3) / sqrt(2·2) = 1/ln 3.
    expect(scores.get('rock')).toBeCloseTo(1 / Math.log(3), 12);
    expect(scores.get('kpop')).toBe(0);
    expect(scores.explain).toMatchObject({ scorer: 'cf', version: 4, listenerTags: 1, listenerItems: 1, reason: 'cold listener: 1 profile tag(s), below the threshold of 3' });
  });

  it('uses the warm model for a tagged listener, and borrowed CTR for a campaign with little feedback', () => {
    const settings = { ...DEFAULT_COLD_START, warmModelId: 'ftrl', minListenerTags: 2, minCampaignImpressions: 1000 };
    const twin = campaign('twin', ['Rock A']);
    const warm: CandidateModel = { modelId: 'ftrl', version: '1', score: () => new Map([['rock', 0.05], ['twin', 0.2], ['kpop', 0.03]]) };
    const feedback = new Map([['rock', { impressions: 5000, clicks: 100 }], ['kpop', { impressions: 4000, clicks: 40 }], ['twin', { impressions: 3, clicks: 0 }]]);
    const scores = model(buildState(items, history, cf, null, settings), feedback, warm).score(input('cold-rocker', { genres: ['rock'], artists: ['x'] }), [rock, twin, kpop]) as ExplainedScores;
    expect(Object.fromEntries(scores)).toEqual({ rock: 0.05, kpop: 0.03, twin: 100 / 5000 });
    expect(scores.explain).toMatchObject({ scorer: 'ftrl+cf', coldCampaigns: ['twin'], borrowed: { twin: { ctr: 0.02, weight: 1000, from: [{ campaignId: 'rock', sim: 1 }] } } });
  });

  it('refuses to score before a CF model exists (the decision falls back to priority)', () => {
    expect(() => model(buildState(items, history, null, null, DEFAULT_COLD_START)).score(input('u', null), [rock])).toThrow(/no CF model/);
  });

  it.each([
    [null, 0],
    [{ genres: ['a', 'b'], artists: ['c'], languages: [], moods: ['x'] }, 3],
    [{ genres: 'rock' }, 0],
  ])('listenerTagCount(%j) = %d', (profile, expected) => {
    expect(listenerTagCount(profile)).toBe(expected);
  });

  it.each([
    [{}, { kind: 'ok', value: DEFAULT_COLD_START }],
    [{ warmModelId: 'cf' }, { kind: 'invalid', errors: [{ field: 'warmModelId', problems: ['warmModelId must differ from modelId'] }] }],
    [{ minListenerTags: -1, extra: 1 }, { kind: 'invalid', errors: [{ field: 'extra', problems: ['property extra should not exist'] }, { field: 'minListenerTags', problems: ['minListenerTags must be an integer >= 0'] }] }],
  ])('stored settings %j', (input, expected) => {
    expect(checkColdStartSettings(input)).toEqual(expected);
  });
});
