import type { CompiledCampaign } from '../../engine/policy/snapshot';
import { DEFAULT_COLD_START } from './cold-start-settings';
import { listeningFeatures } from './listening-features';
import { buildState } from './listening-state.service';

const items = [
  { idx: 0, key: 'a', name: 'A', genre: 'rock', language: null },
  { idx: 1, key: 'b', name: 'B', genre: 'rock', language: null },
  { idx: 2, key: 'c', name: 'C', genre: 'pop', language: null },
];
// Unit axes: a = x, b = y, c = -x.
const model = { dim: 2, itemCount: 3, popularityBias: 1, vectors: Float32Array.from([2, 0, 0, 3, -1, 0]), contextVectors: new Float32Array(6), itemCounts: Float64Array.from([5, 5, 5]) };
const campaign = (artists: string[], genres: string[] = []) => ({ id: 'x', tags: { artists, genres, languages: [] } }) as unknown as CompiledCampaign;

describe('listeningFeatures', () => {
  it.each([
    ['listener on a, campaign a', [{ item: 0, plays: 4 }], campaign(['A']), 1],
    ['listener on a, campaign rock (a, b): 45°', [{ item: 0, plays: 4 }], campaign([], ['rock']), Math.SQRT1_2],
    ['listener on a, campaign c: opposite', [{ item: 0, plays: 1 }], campaign(['C']), -1],
    ['listener without history', [], campaign(['A']), 0],
  ])('%s', (_name, history, target, expectedCosine) => {
    const state = buildState(items, new Map([['u', history]]), null, { version: 1, model }, DEFAULT_COLD_START);
    const f = listeningFeatures(state, 'u', target);
    expect(f.embeddingCosine).toBeCloseTo(expectedCosine, 6);
    expect(f.cfAffinity).toBe(0);
    expect(f.listenerItems).toBe(history.length);
  });
});
