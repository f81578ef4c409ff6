import { Rng } from '../../engine/util/rng';
import { buildListenerIndex, ListenerIndex, ListenerIndexOptions, searchListeners } from './listener-index';

/** Listeners who must not be in a lookalike audience (already converted, opted out, another package ...). */
export type LookalikeExclusion = ReadonlySet<number> | ((userIndex: number) => boolean);

/**
 * How the seed becomes index queries.
 * - 'centroids': spherical k-means of the seed's vectors; each centroid is one query and a candidate scores its
 *   best cosine to any centroid. Cost grows with the number of centroids, not the seed, so it suits big seeds.
 * - 'per-seed': every seed listener is a query and a candidate scores the sum of its cosines to the seed
 *   listeners that reached it (a kNN vote); follows a multi-modal seed closely, costs one search per seed listener.
 */
export type SeedQuery = 'centroids' | 'per-seed';

export interface LookalikeRequest {
  /** Row-major listener vectors, `dim` wide; row r is dense user `userIndices[r]`. */
  userVectors: Float32Array;
  dim: number;
  userIndices: Uint32Array;
  /** Dense user indices of the seed audience. */
  seed: Uint32Array;
  /** Listeners wanted in the expansion. */
  targetSize: number;
  exclude?: LookalikeExclusion;
  /** Share of the seed hidden from the query to measure recall; 0 skips the measurement. Default 0.2. */
  holdoutFraction?: number;
  rng: Rng;
  /** Default 'per-seed' for seeds up to {@link PER_SEED_QUERY_LIMIT} listeners, 'centroids' above. */
  query?: SeedQuery;
  /** Centroids for 'centroids'; default round(sqrt(seed/2)) clamped to [1, 16]. */
  centroidCount?: number;
  /** A prebuilt index over the same vectors (one index serves many expansions). */
  index?: ListenerIndex;
  indexOptions?: ListenerIndexOptions;
}

export interface LookalikeResult {
  /** Dense user indices, best match first; never a seed member nor an excluded listener. */
  members: Uint32Array;
  /** Cosine score of each member under the chosen query mode, same order. */
  scores: Float32Array;
  /**
   * Share of the held-out seed listeners found in the top `targetSize` when the query was built from the rest
   * of the seed (held-out listeners were eligible there). NaN when nothing was held out.
   */
  seedRecall: number;
  holdoutSize: number;
  query: SeedQuery;
}

/** Above this many seed listeners the default query mode switches from 'per-seed' to 'centroids'. */
export const PER_SEED_QUERY_LIMIT = 2000;

const KMEANS_ITERATIONS = 15;

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (let d = 0; d < v.length; d++) n += v[d] * v[d];
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  const inv = 1 / Math.sqrt(n);
  for (let d = 0; d < v.length; d++) out[d] = v[d] * inv;
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d] * b[d];
  return s;
}

/** Spherical k-means (cosine) with k-means++ seeding from `rng`; returns unit centroids. */
export function sphericalKMeans(points: Float32Array[], k: number, rng: Rng): Float32Array[] {
  const units = points.map(unit);
  const count = Math.min(k, units.length);
  if (count === 0) return [];
  const centroids: Float32Array[] = [units[Math.floor(rng.next() * units.length)]];
  const distance = units.map((p) => 1 - dot(p, centroids[0]));
  while (centroids.length < count) {
    const total = distance.reduce((s, x) => s + Math.max(0, x), 0);
    let pick = units.length - 1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let n = 0; n < units.length; n++) {
        r -= Math.max(0, distance[n]);
        if (r < 0) {
          pick = n;
          break;
        }
      }
    } else pick = Math.floor(rng.next() * units.length);
    centroids.push(units[pick]);
    units.forEach((p, n) => (distance[n] = Math.min(distance[n], 1 - dot(p, units[pick]))));
  }
  const dim = units[0].length;
  const assignment = new Int32Array(units.length).fill(-1);
  for (let iteration = 0; iteration < KMEANS_ITERATIONS; iteration++) {
    let changed = false;
    units.forEach((p, n) => {
      let best = 0;
      let bestSim = -Infinity;
      centroids.forEach((c, j) => {
        const s = dot(p, c);
        if (s > bestSim) {
          bestSim = s;
          best = j;
        }
      });
      if (assignment[n] !== best) changed = true;
      assignment[n] = best;
    });
    if (!changed) break;
    const sums = centroids.map(() => new Float32Array(dim));
    units.forEach((p, n) => {
      const s = sums[assignment[n]];
      for (let d = 0; d < dim; d++) s[d] += p[d];
    });
    // an emptied cluster keeps its previous centroid
    sums.forEach((s, j) => {
      const u = unit(s);
      if (u.some((x) => x !== 0)) centroids[j] = u;
    });
  }
  return centroids;
}

interface Ranked {
  users: number[];
  scores: number[];
}

/** Candidates for a query seed, best first, skipping `isForbidden`; fetches more until `need` are found or all are. */
function rankCandidates(
  listeners: ListenerIndex,
  querySeed: number[],
  isForbidden: (userIndex: number) => boolean,
  need: number,
  mode: SeedQuery,
  centroidCount: number,
  rng: Rng,
): Ranked {
  const seedVectors: Float32Array[] = [];
  for (const u of querySeed) {
    const row = listeners.rowByUser.get(u);
    if (row !== undefined) seedVectors.push(listeners.vectors.subarray(row * listeners.dim, (row + 1) * listeners.dim));
  }
  if (seedVectors.length === 0 || need <= 0) return { users: [], scores: [] };
  const queries = mode === 'centroids' ? sphericalKMeans(seedVectors, centroidCount, rng) : seedVectors.map(unit);
  let fetch =
    mode === 'centroids'
      ? need + querySeed.length + 16
      : Math.max(32, Math.ceil((4 * (need + querySeed.length)) / queries.length));
  for (;;) {
    fetch = Math.min(fetch, listeners.size);
    const scores = new Map<number, number>();
    for (const q of queries) {
      for (const { userIndex, sim } of searchListeners(listeners, q, fetch)) {
        if (isForbidden(userIndex)) continue;
        const prev = scores.get(userIndex);
        if (mode === 'centroids') scores.set(userIndex, prev === undefined ? sim : Math.max(prev, sim));
        else scores.set(userIndex, (prev ?? 0) + sim);
      }
    }
    if (scores.size >= need || fetch >= listeners.size) {
      const ranked = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, need);
      return { users: ranked.map((r) => r[0]), scores: ranked.map((r) => r[1]) };
    }
    fetch *= 2;
  }
}

/**
 * Lookalike expansion: the `targetSize` listeners most similar (cosine over listener vectors, HNSW via usearch)
 * to a seed audience, never a seed member nor an excluded listener.
 * Quality report: `holdoutFraction` of the seed (random, from `rng`) is hidden, the query is built from the rest,
 * and seedRecall = share of hidden seed listeners ranked in the top `targetSize` (random ranking scores about
 * targetSize / eligible listeners). The returned members are then ranked from the whole seed.
 * Seed listeners without a (non-zero) vector are ignored for querying.
 */
export function buildLookalike(request: LookalikeRequest): LookalikeResult {
  const { rng, dim } = request;
  const listeners =
    request.index ?? buildListenerIndex(request.userVectors, dim, request.userIndices, request.indexOptions);
  const excluded: (u: number) => boolean =
    request.exclude === undefined
      ? () => false
      : typeof request.exclude === 'function'
        ? request.exclude
        : (u) => (request.exclude as ReadonlySet<number>).has(u);
  const seed = [...new Set(Array.from(request.seed))].sort((a, b) => a - b);
  const seedSet = new Set(seed);
  const mode: SeedQuery = request.query ?? (seed.length > PER_SEED_QUERY_LIMIT ? 'centroids' : 'per-seed');
  const centroidCount = request.centroidCount ?? Math.min(16, Math.max(1, Math.round(Math.sqrt(seed.length / 2))));
  const targetSize = Math.max(0, Math.floor(request.targetSize));
  const holdoutFraction = request.holdoutFraction ?? 0.2;

  let seedRecall = NaN;
  let holdoutSize = 0;
  const candidatesForHoldout = seed.filter((u) => !excluded(u) && listeners.rowByUser.has(u));
  if (holdoutFraction > 0 && candidatesForHoldout.length >= 2) {
    const shuffled = candidatesForHoldout.slice();
    for (let k = shuffled.length - 1; k > 0; k--) {
      const r = Math.floor(rng.next() * (k + 1));
      [shuffled[k], shuffled[r]] = [shuffled[r], shuffled[k]];
    }
    holdoutSize = Math.min(shuffled.length - 1, Math.max(1, Math.round(holdoutFraction * shuffled.length)));
    const holdout = new Set(shuffled.slice(0, holdoutSize));
    const querySeed = seed.filter((u) => !holdout.has(u));
    const querySet = new Set(querySeed);
    const ranked = rankCandidates(
      listeners,
      querySeed,
      (u) => querySet.has(u) || excluded(u),
      targetSize,
      mode,
      centroidCount,
      rng,
    );
    const found = ranked.users.filter((u) => holdout.has(u)).length;
    seedRecall = found / holdoutSize;
  }

  const final = rankCandidates(
    listeners,
    seed,
    (u) => seedSet.has(u) || excluded(u),
    targetSize,
    mode,
    centroidCount,
    rng,
  );
  return {
    members: Uint32Array.from(final.users),
    scores: Float32Array.from(final.scores),
    seedRecall,
    holdoutSize,
    query: mode,
  };
}
