import { createRng } from '../util/rng';
import {
  borrowedCtr,
  campaignAffinity,
  campaignSetSimilarity,
  ClickHistory,
  similarCampaigns,
} from './campaign-similarity';
import { buildItemNeighbors, ItemNeighbors, ItemSimilarityKind } from './item-similarity';
import { PlayMatrix } from './play-matrix';
import { recommendForUser } from './recommend';

function matrix(userCount: number, itemCount: number, triples: [number, number, number][]): PlayMatrix {
  return {
    userCount,
    itemCount,
    users: Uint32Array.from(triples.map((t) => t[0])),
    items: Uint32Array.from(triples.map((t) => t[1])),
    plays: Float32Array.from(triples.map((t) => t[2])),
  };
}

/** Reference straight from the formulas, over item sets N(i) and user sets N(u). */
function bruteForce(data: PlayMatrix, kind: ItemSimilarityKind): number[][] {
  const byUser: Set<number>[] = Array.from({ length: data.userCount }, () => new Set());
  for (let e = 0; e < data.users.length; e++) if (data.plays[e] > 0) byUser[data.users[e]].add(data.items[e]);
  const byItem: Set<number>[] = Array.from({ length: data.itemCount }, () => new Set());
  byUser.forEach((items, u) => items.forEach((i) => byItem[i].add(u)));
  const sims: number[][] = [];
  for (let i = 0; i < data.itemCount; i++) {
    sims.push([]);
    for (let j = 0; j < data.itemCount; j++) {
      let co = 0;
      let inter = 0;
      for (let u = 0; u < data.userCount; u++) {
        if (byItem[i].has(u) && byItem[j].has(u)) {
          inter++;
          co += 1 / Math.log(1 + byUser[u].size);
        }
      }
      const union = byItem[i].size + byItem[j].size - inter;
      sims[i].push(
        i === j || inter === 0 ? 0 : kind === 'iuf' ? co / Math.sqrt(byItem[i].size * byItem[j].size) : inter / union,
      );
    }
  }
  return sims;
}

function denseFrom(n: ItemNeighbors): number[][] {
  const out = Array.from({ length: n.itemCount }, () => new Array<number>(n.itemCount).fill(0));
  for (let i = 0; i < n.itemCount; i++) {
    for (let e = n.offsets[i]; e < n.offsets[i + 1]; e++) out[i][n.neighbors[e]] = n.sims[e];
  }
  return out;
}

function randomMatrix(seed: number, userCount: number, itemCount: number, density: number): PlayMatrix {
  const rng = createRng(seed);
  const triples: [number, number, number][] = [];
  for (let u = 0; u < userCount; u++) {
    for (let i = 0; i < itemCount; i++) {
      if (rng.next() < density) triples.push([u, i, 1 + Math.floor(rng.next() * 50)]);
    }
  }
  // one duplicated pair (plays summed) and one zero-play pair (ignored)
  triples.push([0, 0, 3], [0, 0, 4], [1, 1, 0]);
  return matrix(userCount, itemCount, triples);
}

// u0 {0,1}, u1 {0,1,2}, u2 {1,2}
const TINY = matrix(3, 3, [
  [0, 0, 5],
  [0, 1, 1],
  [1, 0, 2],
  [1, 1, 2],
  [1, 2, 9],
  [2, 1, 1],
  [2, 2, 4],
]);

describe('buildItemNeighbors', () => {
  const ln3 = Math.log(3);
  const ln4 = Math.log(4);
  it.each<[ItemSimilarityKind, number, number, number]>([
    ['iuf', (1 / ln3 + 1 / ln4) / Math.sqrt(6), 1 / ln4 / 2, (1 / ln4 + 1 / ln3) / Math.sqrt(6)],
    ['jaccard', 2 / 3, 1 / 3, 2 / 3],
  ])('%s on the tiny fixture gives hand-computed sims', (kind, s01, s02, s12) => {
    const dense = denseFrom(buildItemNeighbors(TINY, { similarity: kind, topK: 3 }));
    expect(dense[0][1]).toBeCloseTo(s01, 14);
    expect(dense[1][0]).toBeCloseTo(s01, 14);
    expect(dense[0][2]).toBeCloseTo(s02, 14);
    expect(dense[2][0]).toBeCloseTo(s02, 14);
    expect(dense[1][2]).toBeCloseTo(s12, 14);
  });

  it.each<[ItemSimilarityKind, number]>([
    ['iuf', 11],
    ['jaccard', 11],
    ['iuf', 12],
    ['jaccard', 12],
  ])('%s matches the brute-force formula for every pair (seed %d) to 1e-12', (kind, seed) => {
    const data = randomMatrix(seed, 40, 25, 0.25);
    const got = denseFrom(buildItemNeighbors(data, { similarity: kind, topK: 25 }));
    const want = bruteForce(data, kind);
    let nonZero = 0;
    for (let i = 0; i < 25; i++) {
      for (let j = 0; j < 25; j++) {
        expect(Math.abs(got[i][j] - want[i][j])).toBeLessThanOrEqual(1e-12);
        if (want[i][j] > 0) nonZero++;
      }
    }
    expect(nonZero).toBeGreaterThan(300);
  });

  it.each<[ItemSimilarityKind, number]>([
    ['iuf', 3],
    ['jaccard', 5],
  ])('%s keeps the top %d per item, sorted by sim desc then id asc', (kind, topK) => {
    const data = randomMatrix(7, 40, 25, 0.25);
    const want = bruteForce(data, kind);
    const got = buildItemNeighbors(data, { similarity: kind, topK });
    for (let i = 0; i < 25; i++) {
      const expected = want[i]
        .map((sim, j) => ({ j, sim }))
        .filter((x) => x.sim > 0)
        .sort((a, b) => b.sim - a.sim || a.j - b.j)
        .slice(0, topK)
        .map((x) => x.j);
      expect(Array.from(got.neighbors.subarray(got.offsets[i], got.offsets[i + 1]))).toEqual(expected);
    }
  });

  it('ties are broken by the lower neighbour id', () => {
    // item 0 co-occurs once with each of items 3, 1, 2 (identical degrees) → equal sims
    const data = matrix(3, 4, [
      [0, 0, 1],
      [0, 3, 1],
      [1, 0, 1],
      [1, 1, 1],
      [2, 0, 1],
      [2, 2, 1],
    ]);
    const got = buildItemNeighbors(data, { similarity: 'jaccard', topK: 2 });
    expect(Array.from(got.neighbors.subarray(got.offsets[0], got.offsets[1]))).toEqual([1, 2]);
  });

  it('maxItemsPerUser keeps each listener’s most-played items and then follows the formula exactly', () => {
    const data = randomMatrix(5, 30, 20, 0.4);
    const cap = 4;
    const kept: [number, number, number][] = [];
    for (let u = 0; u < data.userCount; u++) {
      const plays = new Map<number, number>();
      for (let e = 0; e < data.users.length; e++) {
        if (data.users[e] === u) plays.set(data.items[e], (plays.get(data.items[e]) ?? 0) + data.plays[e]);
      }
      [...plays]
        .filter(([, p]) => p > 0)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, cap)
        .forEach(([i, p]) => kept.push([u, i, p]));
    }
    const want = bruteForce(matrix(30, 20, kept), 'iuf');
    const got = denseFrom(buildItemNeighbors(data, { similarity: 'iuf', topK: 20, maxItemsPerUser: cap }));
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 20; j++) expect(Math.abs(got[i][j] - want[i][j])).toBeLessThanOrEqual(1e-12);
    }
  });

  it("normalize 'max' scales each item's list so its best neighbour has sim 1", () => {
    const raw = buildItemNeighbors(TINY, { similarity: 'jaccard', topK: 3 });
    const norm = buildItemNeighbors(TINY, { similarity: 'jaccard', topK: 3, normalize: 'max' });
    // item 0: [1: 2/3, 2: 1/3] → [1, 1/2]
    expect(Array.from(norm.sims.subarray(norm.offsets[0], norm.offsets[1]))).toEqual([1, 0.5]);
    expect(Array.from(raw.sims.subarray(raw.offsets[0], raw.offsets[1]))).toEqual([2 / 3, 1 / 3]);
  });
});

describe('recommendForUser', () => {
  const jac = buildItemNeighbors(TINY, { similarity: 'jaccard', topK: 3 });
  it.each<[string, { item: number; plays: number }[], number, number[], { item: number; score: number }[]]>([
    ['one item', [{ item: 0, plays: 3 }], 5, [], [{ item: 1, score: 2 / 3 }, { item: 2, score: 1 / 3 }]],
    ['exclusion honoured', [{ item: 0, plays: 3 }], 5, [1], [{ item: 2, score: 1 / 3 }]],
    ['k truncates', [{ item: 0, plays: 3 }], 1, [], [{ item: 1, score: 2 / 3 }]],
    ['own items never returned, votes add up', [{ item: 0, plays: 1 }, { item: 2, plays: 1 }], 5, [], [{ item: 1, score: 4 / 3 }]],
    ['zero plays do not vote', [{ item: 0, plays: 0 }], 5, [], []],
  ])('%s', (_name, userItems, k, exclude, expected) => {
    const got = recommendForUser(jac, userItems, k, new Set(exclude));
    expect(got.map((r) => r.item)).toEqual(expected.map((r) => r.item));
    got.forEach((r, n) => expect(r.score).toBeCloseTo(expected[n].score, 12));
  });

  // u0 {0,1}, u1 {0,1,3}, u2 {1,2}: J(0,1) = 2/3, J(2,1) = 1/3, J(0,3) = 1/2, J(2,3) = 0
  const voters = buildItemNeighbors(
    matrix(3, 4, [
      [0, 0, 1],
      [0, 1, 1],
      [1, 0, 1],
      [1, 3, 1],
      [1, 1, 1],
      [2, 2, 1],
      [2, 1, 1],
    ]),
    { similarity: 'jaccard', topK: 4 },
  );
  it.each<['binary' | 'log-plays' | 'plays', number, number]>([
    ['binary', 2 / 3 + 1 / 3, 1 / 2],
    ['log-plays', (2 / 3) * Math.log(4) + (1 / 3) * Math.log(2), (1 / 2) * Math.log(4)],
    ['plays', (2 / 3) * 3 + (1 / 3) * 1, (1 / 2) * 3],
  ])('weighting %s multiplies each vote by the play weight', (weighting, score1, score3) => {
    const got = recommendForUser(voters, [{ item: 0, plays: 3 }, { item: 2, plays: 1 }], 5, new Set(), weighting);
    expect(got.map((r) => r.item)).toEqual(score1 > score3 ? [1, 3] : [3, 1]);
    const byItem = new Map(got.map((r) => [r.item, r.score]));
    expect(byItem.get(1)).toBeCloseTo(score1, 12);
    expect(byItem.get(3)).toBeCloseTo(score3, 12);
  });
});

describe('campaign affinity and similarity', () => {
  const jac = buildItemNeighbors(TINY, { similarity: 'jaccard', topK: 3 });
  it.each<[string, { item: number; plays: number }[], number[], number]>([
    ['campaign of a played item', [{ item: 0, plays: 4 }], [0], 1],
    ['mean over campaign items of similarity', [{ item: 0, plays: 4 }], [1, 2], (2 / 3 + 1 / 3) / 2],
    ['mean over user items', [{ item: 0, plays: 1 }, { item: 2, plays: 1 }], [2], (1 / 3 + 1) / 2],
    ['empty campaign', [{ item: 0, plays: 1 }], [], 0],
    ['listener without plays', [], [1], 0],
  ])('%s', (_name, userItems, campaignItems, expected) => {
    expect(campaignAffinity(jac, userItems, campaignItems)).toBeCloseTo(expected, 12);
  });

  it('reads a pair kept only in the campaign item’s list (top-k lists are asymmetric)', () => {
    // topK 1: item 0 keeps 1 (2/3); item 2 keeps 1 (2/3); item 1 keeps 0 (2/3, lower id). Pair (0,2) kept nowhere;
    // pair (2,1) kept only in 2's list.
    const top1 = buildItemNeighbors(TINY, { similarity: 'jaccard', topK: 1 });
    expect(campaignAffinity(top1, [{ item: 1, plays: 1 }], [2])).toBeCloseTo(2 / 3, 12);
    expect(campaignAffinity(top1, [{ item: 0, plays: 1 }], [2])).toBe(0);
  });

  it.each<[number[], number[], number]>([
    [[0], [1, 2], 0.5 * (2 / 3 + (2 / 3 + 1 / 3) / 2)],
    [[0, 1], [0, 1], 1],
    [[0], [], 0],
    [[1], [1, 2], 0.5 * (1 + (1 + 2 / 3) / 2)],
  ])('campaignSetSimilarity(%j, %j) = %d', (a, b, expected) => {
    expect(campaignSetSimilarity(jac, a, b)).toBeCloseTo(expected, 12);
    expect(campaignSetSimilarity(jac, b, a)).toBeCloseTo(expected, 12);
  });

  it('similarCampaigns ranks the others by set similarity', () => {
    const result = similarCampaigns(
      [
        { campaignId: 'a', items: [0] },
        { campaignId: 'b', items: [1] },
        { campaignId: 'c', items: [2] },
        { campaignId: 'd', items: [0] },
      ],
      jac,
      2,
    );
    expect(result.get('a')).toEqual([
      { campaignId: 'd', sim: 1 },
      { campaignId: 'b', sim: 2 / 3 },
    ]);
    expect(result.get('c')!.map((s) => s.campaignId)).toEqual(['b', 'a']);
    expect(result.get('c')![1].sim).toBeCloseTo(1 / 3, 12);
  });

  const history = new Map<string, ClickHistory>([
    ['x', { clicks: 10, impressions: 1000 }],
    ['y', { clicks: 40, impressions: 1000 }],
    ['z', { clicks: 0, impressions: 0 }],
  ]);
  it.each<[string, { campaignId: string; sim: number }[], number, { ctr: number; weight: number }]>([
    ['sim-weighted pooled ctr', [{ campaignId: 'x', sim: 1 }, { campaignId: 'y', sim: 0.5 }], 1e9, { ctr: 30 / 1500, weight: 1500 }],
    ['weight capped', [{ campaignId: 'x', sim: 1 }, { campaignId: 'y', sim: 0.5 }], 100, { ctr: 30 / 1500, weight: 100 }],
    ['unknown, empty and non-positive sims ignored', [{ campaignId: 'q', sim: 1 }, { campaignId: 'z', sim: 1 }, { campaignId: 'y', sim: 0 }], 1e9, { ctr: 0, weight: 0 }],
    ['single source', [{ campaignId: 'y', sim: 0.25 }], 1e9, { ctr: 0.04, weight: 250 }],
  ])('borrowedCtr: %s', (_name, similar, maxWeight, expected) => {
    const got = borrowedCtr(similar, history, maxWeight);
    expect(got.ctr).toBeCloseTo(expected.ctr, 12);
    expect(got.weight).toBeCloseTo(expected.weight, 9);
  });
});
