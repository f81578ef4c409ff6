import { contingency, entropy, giniImpurity, rankFeatures, scoreFeature } from './feature-criteria';

// Quinlan's "play tennis" table (14 days, 9 yes / 5 no).
const PLAY = ['no', 'no', 'yes', 'yes', 'yes', 'no', 'yes', 'no', 'yes', 'yes', 'yes', 'yes', 'yes', 'no'];
const OUTLOOK = ['sunny', 'sunny', 'overcast', 'rain', 'rain', 'rain', 'overcast', 'sunny', 'sunny', 'rain', 'sunny', 'overcast', 'overcast', 'rain'];
const HUMIDITY = ['high', 'high', 'high', 'high', 'normal', 'normal', 'normal', 'high', 'normal', 'normal', 'normal', 'high', 'normal', 'high'];
const WINDY = [false, true, false, false, false, true, true, false, false, false, true, true, false, true];
const CONSTANT = new Array(14).fill('x');

describe('entropy and gini', () => {
  it.each([
    [[1, 1], 'bits', 1],
    [[1, 1, 1, 1], 'bits', 2],
    [[9, 5], 'bits', 0.940285959],
    [[1, 1], 'nats', Math.LN2],
    [[7, 0], 'bits', 0],
    [[], 'bits', 0],
  ] as const)('entropy(%j, %s) = %d', (counts, unit, expected) => {
    expect(entropy(counts, unit)).toBeCloseTo(expected, 9);
  });

  it.each([
    [[1, 1], 0.5],
    [[9, 5], 1 - (81 + 25) / 196],
    [[3, 0], 0],
  ])('giniImpurity(%j) = %d', (counts, expected) => {
    expect(giniImpurity(counts)).toBeCloseTo(expected, 12);
  });
});

describe('scoreFeature on the play-tennis table (hand-computed, bits)', () => {
  // outlook: sunny 2y/3n, overcast 4y/0n, rain 3y/2n. H(Y) = 0.940286, H(Y|X) = 0.693536, H(X) = 1.577406
  // → IG 0.246750, GR 0.156428, SU 2·0.246750/(1.577406 + 0.940286) = 0.196013,
  //   Gini 0.459184 − (5/14·0.48 + 4/14·0 + 5/14·0.48) = 0.116327.
  it.each([
    ['outlook', OUTLOOK, 0.24674982, 0.156427562, 0.196012694, 0.116326531],
    ['humidity', HUMIDITY, 0.151835501, 0.151835501, 0.156508375, 0.091836735],
    ['windy', WINDY, 0.04812703, 0.048848616, 0.049988759, 0.030612245],
    ['constant', CONSTANT, 0, 0, 0, 0],
  ])('%s', (_name, feature, infoGain, gainRatio, su, gini) => {
    const s = scoreFeature(feature, PLAY);
    expect(s.infoGain).toBeCloseTo(infoGain, 8);
    expect(s.gainRatio).toBeCloseTo(gainRatio, 8);
    expect(s.symmetricalUncertainty).toBeCloseTo(su, 8);
    expect(s.gini).toBeCloseTo(gini, 8);
  });

  it('information gain in nats is the bits value × ln 2; the ratios do not change', () => {
    const bits = scoreFeature(OUTLOOK, PLAY, 'bits');
    const nats = scoreFeature(OUTLOOK, PLAY, 'nats');
    expect(nats.infoGain).toBeCloseTo(bits.infoGain * Math.LN2, 12);
    expect(nats.gainRatio).toBeCloseTo(bits.gainRatio, 12);
    expect(nats.symmetricalUncertainty).toBeCloseTo(bits.symmetricalUncertainty, 12);
  });

  it('treats missing values as their own category', () => {
    // Missing exactly where the class is 1: the feature is perfectly informative (IG = H(Y) = 1 bit).
    const s = scoreFeature([NaN, null, 'a', 'a'], [1, 1, 0, 0]);
    expect(s.infoGain).toBeCloseTo(1, 12);
    const table = contingency([NaN, null, 'a', 'a'], [1, 1, 0, 0]);
    expect(table.featureCategories).toEqual(['missing', 'a']);
    expect(table.counts).toEqual([[2, 0], [0, 2]]);
  });
});

describe('rankFeatures', () => {
  const columns = { windy: WINDY, outlook: OUTLOOK, humidity: HUMIDITY, constant: CONSTANT };

  it.each([
    ['infoGain', { minScore: 0.1 }, ['outlook', 'humidity'], ['windy', 'constant']],
    ['gainRatio', { topK: 1 }, ['outlook'], ['humidity', 'windy', 'constant']],
    ['gini', { minScore: 0.05, topK: 3 }, ['outlook', 'humidity'], ['windy', 'constant']],
    ['symmetricalUncertainty', {}, ['outlook', 'humidity', 'windy', 'constant'], []],
  ] as const)('by %s with %j', (criterion, limits, kept, dropped) => {
    const result = rankFeatures(columns, PLAY, { criterion, ...limits });
    expect(result.kept).toEqual(kept);
    expect(result.dropped).toEqual(dropped);
    expect(result.ranked.map((r) => r.rank)).toEqual([0, 1, 2, 3]);
  });
});
