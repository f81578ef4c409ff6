import { createRng, normal } from '../../engine/util/rng';
import { buildListenerIndex, searchListeners } from './listener-index';
import { buildLookalike, SeedQuery, sphericalKMeans } from './lookalike';

const DIM = 16;
const CLUSTERS = 3;
const PER_CLUSTER = 200;

/** 600 listeners in 3 taste clusters: a random direction per cluster plus isotropic noise. Dense ids are shuffled
 * relative to clusters (id = 7·row mod 600) so that no test can pass by id order. */
function population(seed: number): { vectors: Float32Array; userIndices: Uint32Array; clusterOf: Map<number, number> } {
  const rng = createRng(seed);
  const centers = Array.from({ length: CLUSTERS }, () => Array.from({ length: DIM }, () => normal(rng)));
  const n = CLUSTERS * PER_CLUSTER;
  const vectors = new Float32Array(n * DIM);
  const userIndices = new Uint32Array(n);
  const clusterOf = new Map<number, number>();
  for (let row = 0; row < n; row++) {
    const c = row % CLUSTERS;
    for (let d = 0; d < DIM; d++) vectors[row * DIM + d] = centers[c][d] + 0.9 * normal(rng);
    userIndices[row] = (7 * row) % n;
    clusterOf.set(userIndices[row], c);
  }
  return { vectors, userIndices, clusterOf };
}

const world = population(5);
const cluster0 = [...world.clusterOf].filter(([, c]) => c === 0).map(([u]) => u);

describe('buildLookalike', () => {
  it.each<[SeedQuery]>([['per-seed'], ['centroids']])('the lookalike of a cluster seed is that cluster (%s)', (query) => {
    const seed = Uint32Array.from(cluster0.slice(0, 40));
    const result = buildLookalike({
      userVectors: world.vectors,
      dim: DIM,
      userIndices: world.userIndices,
      seed,
      targetSize: 150,
      rng: createRng(1),
      query,
    });
    expect(result.query).toBe(query);
    expect(result.members.length).toBe(150);
    const inCluster = Array.from(result.members).filter((u) => world.clusterOf.get(u) === 0).length;
    expect(inCluster / 150).toBeGreaterThanOrEqual(0.95);
    const seedSet = new Set(seed);
    expect(Array.from(result.members).some((u) => seedSet.has(u))).toBe(false);
    expect(new Set(result.members).size).toBe(150);
    expect(result.holdoutSize).toBe(8);
    expect(result.seedRecall).toBeGreaterThanOrEqual(0.75);
    for (let k = 1; k < result.scores.length; k++) expect(result.scores[k]).toBeLessThanOrEqual(result.scores[k - 1]);
  });

  it.each<[string, (excluded: Set<number>) => Set<number> | ((u: number) => boolean)]>([
    ['a Set', (excluded) => excluded],
    ['a predicate', (excluded) => (u: number) => excluded.has(u)],
  ])('honours exclusions given as %s', (_name, makeExclusion) => {
    const excluded = new Set(cluster0.slice(40, 140));
    const result = buildLookalike({
      userVectors: world.vectors,
      dim: DIM,
      userIndices: world.userIndices,
      seed: Uint32Array.from(cluster0.slice(0, 40)),
      targetSize: 100,
      exclude: makeExclusion(excluded),
      rng: createRng(2),
    });
    expect(result.members.length).toBe(100);
    expect(Array.from(result.members).filter((u) => excluded.has(u))).toEqual([]);
    // 60 eligible cluster-0 listeners remain: they come first
    const firstSixty = Array.from(result.members.subarray(0, 60));
    expect(firstSixty.filter((u) => world.clusterOf.get(u) === 0).length).toBeGreaterThanOrEqual(57);
  });

  it('returns everyone eligible when the target exceeds the population', () => {
    const result = buildLookalike({
      userVectors: world.vectors,
      dim: DIM,
      userIndices: world.userIndices,
      seed: Uint32Array.from(cluster0.slice(0, 10)),
      targetSize: 10_000,
      holdoutFraction: 0,
      rng: createRng(3),
    });
    expect(result.members.length).toBe(590);
    expect(Number.isNaN(result.seedRecall)).toBe(true);
    expect(result.holdoutSize).toBe(0);
  });

  it('is reproducible for the same rng seed', () => {
    const run = () =>
      buildLookalike({
        userVectors: world.vectors,
        dim: DIM,
        userIndices: world.userIndices,
        seed: Uint32Array.from(cluster0.slice(0, 30)),
        targetSize: 50,
        rng: createRng(4),
        query: 'centroids',
      });
    const a = run();
    const b = run();
    expect(Array.from(a.members)).toEqual(Array.from(b.members));
    expect(a.seedRecall).toBe(b.seedRecall);
  });
});

describe('listener index', () => {
  it('skips all-zero vectors and returns exact cosine neighbours on a tiny set', () => {
    const vectors = Float32Array.from([1, 0, 0, 1, 0, 0, 1, 1]);
    const index = buildListenerIndex(vectors, 2, Uint32Array.from([10, 11, 12, 13]));
    expect(index.size).toBe(3);
    const got = searchListeners(index, Float32Array.from([1, 0.1]), 5);
    expect(got.map((n) => n.userIndex)).toEqual([10, 13, 11]);
    expect(got[1].sim).toBeCloseTo((1 + 0.1) / Math.sqrt(2 * 1.01), 5);
  });
});

describe('sphericalKMeans', () => {
  it.each<[number]>([[1], [2], [3]])('separates three well-apart directions (seed %d)', (seed) => {
    const rng = createRng(seed);
    const dirs = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const points = Array.from({ length: 60 }, (_, n) =>
      Float32Array.from(dirs[n % 3].map((x) => x + 0.1 * normal(rng))),
    );
    const centroids = sphericalKMeans(points, 3, createRng(seed + 100));
    const nearestDir = centroids.map((c) => dirs.findIndex((d) => d.every((x, k) => Math.abs(c[k] - x) < 0.2)));
    expect([...nearestDir].sort()).toEqual([0, 1, 2]);
  });
});
