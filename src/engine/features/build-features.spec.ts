import {
  biasIndexOf,
  binIndex,
  buildCandidateFeatures,
  buildFeatures,
  DEFAULT_FEATURE_SPEC,
  FeatureInput,
  FeatureSpec,
  featureTokens,
  hashToken,
  prepareRequestFeatures,
  validateFeatureSpec,
} from './build-features';
import { murmur3, murmur3Bytes } from './murmur3';

const spec: FeatureSpec = {
  hashBits: 18,
  seed: 7,
  numericBins: { 'user.monthlyMinutes': [10, 100, 1000] },
  crosses: [
    ['user.region', 'campaign.id'],
    ['user.genres', 'campaign.genres'],
  ],
};

const input: FeatureInput = {
  user: { region: 'north', genres: ['rock', 'jazz', 'rock'], monthlyMinutes: 250, vipLevel: 3, paidPackage: false, gender: null, ageBand: undefined },
  context: { hour: 21, network: 'wifi', trackId: null },
  campaign: { id: 'c1', tags: { genres: ['pop', 'jazz'], id: ['ignored'] } },
};

describe('binIndex', () => {
  it.each([
    [-5, 0],
    [9.99, 0],
    [10, 1],
    [99, 1],
    [100, 2],
    [999, 2],
    [1000, 3],
    [1e9, 3],
  ])('value %d → bin %d of [10,100,1000]', (value, expected) => {
    expect(binIndex(value, [10, 100, 1000])).toBe(expected);
  });
});

describe('featureTokens', () => {
  it('produces namespaced, binned, multi-valued and crossed tokens', () => {
    expect(featureTokens(input, spec)).toEqual([
      'bias',
      'user.region=north',
      'user.genres=jazz',
      'user.genres=rock',
      'user.monthlyMinutes#bin2',
      'user.vipLevel=3',
      'user.paidPackage=false',
      'context.hour=21',
      'context.network=wifi',
      'campaign.id=c1',
      'campaign.genres=jazz',
      'campaign.genres=pop',
      'user.region=north&campaign.id=c1',
      'user.genres=jazz&campaign.genres=jazz',
      'user.genres=jazz&campaign.genres=pop',
      'user.genres=rock&campaign.genres=jazz',
      'user.genres=rock&campaign.genres=pop',
    ]);
  });

  it.each([
    ['a cross field is missing', { user: { genres: ['rock'] }, context: {}, campaign: { id: 'c1' } }, ['bias', 'user.genres=rock', 'campaign.id=c1']],
    ['a number is not finite', { user: { monthlyMinutes: NaN }, context: {}, campaign: { id: 'c' } }, ['bias', 'campaign.id=c']],
    ['arrays are empty', { user: { genres: [] }, context: {}, campaign: { id: 'c', tags: { genres: [] } } }, ['bias', 'campaign.id=c']],
  ])('emits no cross when %s', (_name, given, expected) => {
    expect(featureTokens(given as FeatureInput, { ...spec, crosses: [['user.region', 'campaign.id'], ['user.genres', 'campaign.genres']] })).toEqual(expected);
  });

  it('include restricts single-field tokens but keeps crosses', () => {
    expect(featureTokens(input, { ...spec, include: ['campaign.id'], crosses: [['user.region', 'campaign.id']] })).toEqual([
      'bias',
      'campaign.id=c1',
      'user.region=north&campaign.id=c1',
    ]);
  });

  it('caps the tokens of one cross deterministically', () => {
    const wide: FeatureInput = { user: { genres: ['a', 'b', 'c'] }, context: {}, campaign: { id: 'x', tags: { genres: ['p', 'q'] } } };
    const tokens = featureTokens(wide, { ...spec, include: [], crosses: [['user.genres', 'campaign.genres']], maxTokensPerCross: 3 });
    expect(tokens).toEqual(['bias', 'user.genres=a&campaign.genres=p', 'user.genres=a&campaign.genres=q', 'user.genres=b&campaign.genres=p']);
  });
});

describe('buildFeatures', () => {
  // Brute-force reference: a token with '&' is a cross whose index is MurmurHash3 over the little-endian
  // bytes of its parts' string hashes; any other token is the hash of its UTF-8 string. Masked, sorted, deduplicated.
  function reference(tokens: string[], s: FeatureSpec): number[] {
    const set = new Set(
      tokens.map((t) => {
        const parts = t.split('&');
        if (parts.length === 1) return murmur3(t, s.seed) % 2 ** s.hashBits;
        const bytes = new Uint8Array(4 * parts.length);
        const view = new DataView(bytes.buffer);
        parts.forEach((p, j) => view.setUint32(4 * j, murmur3(p, s.seed), true));
        return murmur3Bytes(bytes, bytes.length, s.seed) % 2 ** s.hashBits;
      }),
    );
    return [...set].sort((a, b) => a - b);
  }

  it.each([
    ['small spec', spec],
    ['default spec', DEFAULT_FEATURE_SPEC],
    ['tiny space with collisions', { ...spec, hashBits: 3 }],
    ['full 32 bits', { ...spec, hashBits: 32 }],
  ])('matches the brute-force reference (%s)', (_name, s) => {
    const got = Array.from(buildFeatures(input, s));
    expect(got).toEqual(reference(featureTokens(input, s), s));
    expect(got.every((i) => i >= 0 && i < 2 ** s.hashBits)).toBe(true);
    expect(got).toContain(hashToken('bias', s));
    expect(biasIndexOf(s)).toBe(murmur3('bias', s.seed) % 2 ** s.hashBits);
  });

  it.each([
    ['small spec', spec],
    ['default spec', DEFAULT_FEATURE_SPEC],
    ['include list', { ...spec, include: ['user.region', 'campaign.genres'] }],
    ['request-only cross', { ...spec, crosses: [['user.region', 'context.network'], ['user.genres', 'campaign.id']] }],
    ['three-field crosses with a cap', { ...spec, maxTokensPerCross: 3, crosses: [['user.genres', 'campaign.genres', 'context.network'], ['user.genres', 'user.region', 'context.hour']] }],
  ])('prepared request + per-candidate build equals buildFeatures for every candidate (%s)', (_name, s) => {
    const prepared = prepareRequestFeatures(input.user, input.context, s);
    for (const campaign of [input.campaign, { id: 'c2' }, { id: 'c3', tags: { genres: ['rock'], artists: ['x'] } }]) {
      expect(Array.from(buildCandidateFeatures(prepared, campaign))).toEqual(reference(featureTokens({ ...input, campaign }, s), s));
    }
  });

  it('is independent of key order and array order', () => {
    const shuffled: FeatureInput = {
      user: { ageBand: undefined, gender: null, paidPackage: false, vipLevel: 3, monthlyMinutes: 250, genres: ['jazz', 'rock'], region: 'north' },
      context: { trackId: null, network: 'wifi', hour: 21 },
      campaign: { id: 'c1', tags: { genres: ['jazz', 'pop'] } },
    };
    expect(Array.from(buildFeatures(shuffled, spec))).toEqual(Array.from(buildFeatures(input, spec)));
  });

  it.each([
    ['different campaign', { ...input, campaign: { id: 'c2' } }],
    ['different bin', { ...input, user: { ...input.user, monthlyMinutes: 5000 } }],
    ['different seed', input, { ...spec, seed: 8 }],
  ])('changes with a %s', (_name, other, otherSpec = spec) => {
    expect(Array.from(buildFeatures(other as FeatureInput, otherSpec))).not.toEqual(Array.from(buildFeatures(input, spec)));
  });
});

describe('validateFeatureSpec', () => {
  it.each([
    ['the default spec', DEFAULT_FEATURE_SPEC, []],
    ['hashBits 0', { ...spec, hashBits: 0 }, ['hashBits must be an integer in 1..32']],
    ['negative seed', { ...spec, seed: -1 }, ['seed must be an unsigned 32-bit integer']],
    ['unsorted bins', { ...spec, numericBins: { 'user.x': [3, 3] } }, ['numericBins.user.x: boundaries must be strictly ascending']],
    ['one-field cross', { ...spec, crosses: [['user.region']] }, ['crosses[0]: needs at least two fields']],
    ['unnamespaced field', { ...spec, crosses: [['region', 'campaign.id']] }, ['crosses[0]: bad field name region']],
    ['zero cross cap', { ...spec, maxTokensPerCross: 0 }, ['maxTokensPerCross must be a positive integer']],
  ])('%s', (_name, given, problems) => {
    const check = validateFeatureSpec(given as FeatureSpec);
    expect(check).toEqual(problems.length === 0 ? { kind: 'valid' } : { kind: 'invalid', problems });
  });
});
