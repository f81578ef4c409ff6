import { createRng } from '../util/rng';
import { buildNegativeTable, Item2vecParams, trainItem2vec } from './sgns';
import { cosine, nearestItems, nearestToVector, recommendByContext, userVector, vectorNorms } from './vectors';

const CLUSTERS = 3;
const PER_CLUSTER = 10;
const ITEM_COUNT = CLUSTERS * PER_CLUSTER;

/** 300 listeners, each drawing 5–9 items from one cluster and, one time in three, one stray item. */
function clusteredWorld(seed: number): Uint32Array[] {
  const rng = createRng(seed);
  const sentences: Uint32Array[] = [];
  for (let u = 0; u < 300; u++) {
    const cluster = u % CLUSTERS;
    const size = 5 + Math.floor(rng.next() * 5);
    const items = new Set<number>();
    while (items.size < size) items.add(cluster * PER_CLUSTER + Math.floor(rng.next() * PER_CLUSTER));
    if (rng.next() < 1 / 3) items.add(Math.floor(rng.next() * ITEM_COUNT));
    sentences.push(Uint32Array.from(items));
  }
  return sentences;
}

const clusterOf = (item: number): number => Math.floor(item / PER_CLUSTER);

describe('trainItem2vec', () => {
  it.each<[string, Partial<Item2vecParams>]>([
    ['all pairs, Mikolov bias, no subsampling', { dim: 16, epochs: 15, learningRate: 0.025, contextsPerItem: 20, popularityBias: 0.75, subsampleT: 0 }],
    ['sampled pairs, product bias, subsampling', { dim: 16, epochs: 30, learningRate: 0.025, contextsPerItem: 3, popularityBias: 1, subsampleT: 0.05 }],
    ['defaults', {}],
  ])('nearest neighbours come from the item’s own cluster (%s)', (_name, params) => {
    const model = trainItem2vec(clusteredWorld(1), ITEM_COUNT, params, createRng(42));
    let same = 0;
    let total = 0;
    for (let item = 0; item < ITEM_COUNT; item++) {
      for (const { item: other } of nearestItems(model.vectors, model.dim, item, 5)) {
        total++;
        if (clusterOf(other) === clusterOf(item)) same++;
      }
    }
    expect(total).toBe(ITEM_COUNT * 5);
    expect(same / total).toBeGreaterThanOrEqual(0.95);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const world = clusteredWorld(3);
    const params = { dim: 8, epochs: 3 };
    const a = trainItem2vec(world, ITEM_COUNT, params, createRng(9));
    const b = trainItem2vec(world, ITEM_COUNT, params, createRng(9));
    const c = trainItem2vec(world, ITEM_COUNT, params, createRng(10));
    expect(Array.from(a.vectors)).toEqual(Array.from(b.vectors));
    expect(Array.from(a.vectors)).not.toEqual(Array.from(c.vectors));
  });

  it('leaves items that appear in no sentence at zero and never returns them as neighbours', () => {
    const model = trainItem2vec(
      [Uint32Array.from([0, 1]), Uint32Array.from([1, 2])],
      5,
      { dim: 4, epochs: 2, minCount: 1 },
      createRng(1),
    );
    expect(Array.from(model.vectors.subarray(3 * 4, 5 * 4))).toEqual(new Array(8).fill(0));
    expect(nearestItems(model.vectors, 4, 0, 10).map((n) => n.item).sort()).toEqual([1, 2]);
    expect(Array.from(model.itemCounts)).toEqual([1, 2, 1, 0, 0]);
  });

  it.each<[number, number[], number[]]>([
    [1, [2, 3, 1, 0], [0, 1, 2]],
    [2, [2, 3, 0, 0], [0, 1]],
    [3, [0, 3, 0, 0], [1]],
    [4, [0, 0, 0, 0], []],
  ])('minCount %d drops rarer items (counts %j, non-zero vectors %j)', (minCount, counts, trained) => {
    const sentences = [Uint32Array.from([0, 1, 2]), Uint32Array.from([0, 1]), Uint32Array.from([1])];
    const model = trainItem2vec(sentences, 4, { dim: 3, epochs: 1, minCount }, createRng(2));
    expect(Array.from(model.itemCounts)).toEqual(counts);
    const nonZero = [0, 1, 2, 3].filter((i) => model.vectors.subarray(i * 3, i * 3 + 3).some((x) => x !== 0));
    expect(nonZero).toEqual(trained);
  });
});

describe('buildNegativeTable', () => {
  it.each<[number[], number, number, number[]]>([
    [[1, 0, 3], 1, 4, [0, 2, 2, 2]],
    [[1, 0, 3], 0, 4, [0, 0, 2, 2]],
    [[4, 1], 0.5, 6, [0, 0, 0, 0, 1, 1]],
    [[0, 0], 0.75, 3, []],
  ])('counts %j with exponent %d over %d slots', (counts, bias, size, expected) => {
    expect(Array.from(buildNegativeTable(counts, bias, size))).toEqual(expected);
  });
});

describe('vector helpers', () => {
  // rows: 0 = (1,0), 1 = (0,2), 2 = (1,1), 3 = (0,0), 4 = (-1,0)
  const vectors = Float32Array.from([1, 0, 0, 2, 1, 1, 0, 0, -1, 0]);

  it.each<[number[], number[], number]>([
    [[1, 0], [0, 2], 0],
    [[1, 0], [1, 1], Math.SQRT1_2],
    [[1, 0], [-3, 0], -1],
    [[0, 0], [1, 1], 0],
  ])('cosine(%j, %j) = %d', (a, b, expected) => {
    expect(cosine(a, b)).toBeCloseTo(expected, 12);
  });

  it.each<[string, number[], number[] | undefined, 'binary' | 'plays' | 'log-plays', number[]]>([
    ['unweighted mean of unit vectors', [0, 1], undefined, 'log-plays', [Math.SQRT1_2, Math.SQRT1_2]],
    ['plays weight the unit vectors', [0, 1], [3, 1], 'plays', [3 / Math.sqrt(10), 1 / Math.sqrt(10)]],
    ['log-plays', [0, 1], [Math.E - 1, 0], 'log-plays', [1, 0]],
    ['zero rows ignored', [3, 1], [5, 5], 'binary', [0, 1]],
    ['nothing usable', [3], [5], 'binary', [0, 0]],
  ])('userVector: %s', (_name, items, plays, weighting, expected) => {
    const got = userVector(vectors, 2, items, plays, weighting);
    expect(got).toBeInstanceOf(Float32Array);
    expected.forEach((v, d) => expect(got[d]).toBeCloseTo(v, 6));
  });

  it.each<[number[], number, number[], { item: number; sim: number }[]]>([
    [[1, 0], 2, [], [{ item: 0, sim: 1 }, { item: 2, sim: Math.SQRT1_2 }]],
    [[1, 0], 10, [0], [{ item: 2, sim: Math.SQRT1_2 }, { item: 1, sim: 0 }, { item: 4, sim: -1 }]],
    [[0, 0], 3, [], []],
  ])('nearestToVector(%j, k=%d, exclude %j)', (query, k, exclude, expected) => {
    const got = nearestToVector(vectors, 2, query, k, new Set(exclude), vectorNorms(vectors, 2));
    expect(got.map((g) => g.item)).toEqual(expected.map((e) => e.item));
    got.forEach((g, n) => expect(g.sim).toBeCloseTo(expected[n].sim, 6));
  });

  it('nearestItems excludes the item itself', () => {
    expect(nearestItems(vectors, 2, 2, 2).map((g) => g.item)).toEqual([0, 1]);
  });
});

describe('recommendByContext', () => {
  // dim 2; input vectors of items 0,1; context vectors of items 0..3; item 3 dropped (count 0)
  const model = {
    dim: 2,
    itemCount: 4,
    vectors: Float32Array.from([1, 0, 0, 1, 0.5, 0.5, 0, 0]),
    contextVectors: Float32Array.from([0, 0, 0, 0, 2, 1, 9, 9]),
    itemCounts: Float64Array.from([3, 3, 4, 0]),
    popularityBias: 1,
  };
  it.each<[string, { item: number; plays: number }[], 'binary' | 'plays', number[], { item: number; score: number }[]]>([
    // query = mean(v0, v1) = (0.5, 0.5); item 2: 0.5·2 + 0.5·1 + ln 4
    ['binary mean of own input vectors', [{ item: 0, plays: 1 }, { item: 1, plays: 9 }], 'binary', [], [{ item: 2, score: 1.5 + Math.log(4) }]],
    // query = (3·v0 + 1·v1)/4 = (0.75, 0.25); item 2: 1.5 + 0.25 + ln 4
    ['play-weighted', [{ item: 0, plays: 3 }, { item: 1, plays: 1 }], 'plays', [], [{ item: 2, score: 1.75 + Math.log(4) }]],
    // own item 0 skipped; items 1 (ctx 0 → ln 3) and 2 (2 + ln 4)
    ['one item', [{ item: 0, plays: 1 }], 'binary', [], [{ item: 2, score: 2 + Math.log(4) }, { item: 1, score: Math.log(3) }]],
    ['exclusion', [{ item: 0, plays: 1 }], 'binary', [2], [{ item: 1, score: Math.log(3) }]],
    ['no usable item', [{ item: 3, plays: 1 }], 'binary', [], []],
  ])('%s', (_name, userItems, weighting, exclude, expected) => {
    const got = recommendByContext(model, userItems, 5, new Set(exclude), weighting);
    expect(got.map((g) => g.item)).toEqual(expected.map((e) => e.item));
    got.forEach((g, n) => expect(g.score).toBeCloseTo(expected[n].score, 6));
  });
});
