import {
  buildVocabulary,
  crossFeatures,
  discretize,
  equalFrequencyBoundaries,
  fitTfidf,
  oneHotEncode,
  ordinalEncode,
  tokenize,
  transformTfidf,
} from './transforms';

describe('equal-frequency discretisation', () => {
  it.each([
    // 8 values into 4 bins: boundaries at sorted ranks 2, 4, 6 → values 3, 5, 7
    [[8, 1, 2, 3, 4, 5, 6, 7], 4, [3, 5, 7]],
    // ties collapse bins: ranks 1, 2, 3 of [1,1,1,1,2,2] → 1, 1, 2 → only 2 survives (1 is the minimum)
    [[1, 1, 1, 1, 2, 2], 3, [2]],
    [[NaN, 5, NaN], 2, []],
    [[], 3, []],
  ])('equalFrequencyBoundaries(%j, %d) = %j', (values, bins, expected) => {
    expect(equalFrequencyBoundaries(values, bins)).toEqual(expected);
  });

  it.each([
    [[0, 3, 4.9, 5, 100, NaN], [3, 5, 7], [0, 1, 1, 2, 3, -1]],
    [[1, 2], [], [0, 0]],
  ])('discretize(%j, %j) = %j', (values, boundaries, bins) => {
    expect(Array.from(discretize(values, boundaries))).toEqual(bins);
  });

  it('gives each equal-frequency bin the same share of distinct values', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const bins = discretize(values, equalFrequencyBoundaries(values, 10));
    const counts = new Array(10).fill(0);
    for (const b of bins) counts[b]++;
    expect(counts).toEqual(new Array(10).fill(100));
  });
});

describe('crosses and vocabulary encodings', () => {
  it('crosses two categoricals element-wise, naming missing values', () => {
    expect(crossFeatures(['ios', 'android', null], [1, 2, 3])).toEqual(['ios_x_1', 'android_x_2', '__missing___x_3']);
  });

  const genres = ['rock', 'pop', 'rock', 'jazz', 'pop', 'rock', 'folk', null];

  it.each([
    [{}, ['rock', 'pop', 'folk', 'jazz']],
    [{ minCount: 2 }, ['rock', 'pop']],
    [{ maxSize: 3 }, ['rock', 'pop', 'folk']],
  ])('buildVocabulary with %j orders by frequency then token', (options, tokens) => {
    expect(buildVocabulary(genres, options).tokens).toEqual(tokens);
  });

  it('ordinal-encodes with 0 as the unknown bucket', () => {
    const vocabulary = buildVocabulary(genres, { minCount: 2 });
    expect(Array.from(ordinalEncode(['pop', 'rock', 'metal', null, 'jazz'], vocabulary))).toEqual([2, 1, 0, 0, 0]);
  });

  it('one-hot encodes into V + 1 columns with column 0 for unknowns', () => {
    const vocabulary = buildVocabulary(genres, { minCount: 2 });
    expect(Array.from(oneHotEncode(['pop', 'metal'], vocabulary))).toEqual([0, 0, 1, 1, 0, 0]);
  });
});

describe('tf-idf', () => {
  it('tokenizes like scikit-learn: lower case, runs of 2+ word characters', () => {
    expect(tokenize('K-pop, J-POP and Rock!')).toEqual(['pop', 'pop', 'and', 'rock']);
    expect(tokenize('Café 周杰伦 a')).toEqual(['café', '周杰伦']);
  });

  // Golden values from scikit-learn 1.2 TfidfVectorizer() (smooth idf, l2) on the same four documents.
  const docs = ['Rock pop', 'rock ROCK jazz!', 'k-pop, j-pop and Rock', ''];

  it('fits smoothed idf ln((1+n)/(1+df)) + 1', () => {
    const model = fitTfidf(docs);
    expect(model.terms).toEqual(['and', 'jazz', 'pop', 'rock']);
    // n = 4; df: and 1, jazz 1, pop 2, rock 3
    const expected = [Math.log(5 / 2) + 1, Math.log(5 / 2) + 1, Math.log(5 / 3) + 1, Math.log(5 / 4) + 1];
    expected.forEach((v, i) => expect(model.idf[i]).toBeCloseTo(v, 12));
    expect(model.idf[0]).toBeCloseTo(1.91629073, 8);
  });

  it.each([
    [0, [2, 3], [0.777221162, 0.629227515]],
    [1, [1, 3], [0.616668457, 0.787222976]],
    [2, [0, 2, 3], [0.506773897, 0.799092722, 0.323467214]],
    [3, [], []],
  ])('document %d has l2-normalised weights at %j', (doc, indices, values) => {
    const vectors = transformTfidf(fitTfidf(docs), docs);
    expect(Array.from(vectors[doc].indices)).toEqual(indices);
    values.forEach((v, i) => expect(vectors[doc].values[i]).toBeCloseTo(v, 8));
  });

  it('ignores terms unseen when fitting', () => {
    const [vector] = transformTfidf(fitTfidf(docs), ['jazz blues jazz']);
    expect(Array.from(vector.indices)).toEqual([1]);
    expect(vector.values[0]).toBeCloseTo(1, 12);
  });
});
