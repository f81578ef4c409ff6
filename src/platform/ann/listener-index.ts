import { Index, MetricKind, ScalarKind } from 'usearch';

export interface ListenerIndexOptions {
  /** HNSW M (edges per node). */
  connectivity?: number;
  /** ef at construction. */
  expansionAdd?: number;
  /** ef at query time (usearch uses max(ef, k)). */
  expansionSearch?: number;
  /** Threads for insertion; 1 (default) makes the graph, hence results, reproducible. 0 = all cores. */
  threads?: number;
}

/** A cosine HNSW index (usearch) over listener vectors, keyed by dense user index. */
export interface ListenerIndex {
  index: Index;
  dim: number;
  /** Listeners indexed (all-zero vectors are left out: they have no direction). */
  size: number;
  /** Row of each indexed dense user index in the source vector matrix. */
  rowByUser: Map<number, number>;
  vectors: Float32Array;
}

/**
 * Builds the index over rows of `userVectors` (row-major, `dim` wide); row r belongs to dense user `userIndices[r]`.
 */
export function buildListenerIndex(
  userVectors: Float32Array,
  dim: number,
  userIndices: Uint32Array,
  options: ListenerIndexOptions = {},
): ListenerIndex {
  if (userVectors.length !== userIndices.length * dim) {
    throw new RangeError(`userVectors has ${userVectors.length} values, expected ${userIndices.length} × ${dim}`);
  }
  const rowByUser = new Map<number, number>();
  const rows: number[] = [];
  for (let r = 0; r < userIndices.length; r++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += userVectors[r * dim + d] * userVectors[r * dim + d];
    if (norm === 0 || rowByUser.has(userIndices[r])) continue;
    rowByUser.set(userIndices[r], r);
    rows.push(r);
  }
  const index = new Index({
    dimensions: dim,
    metric: MetricKind.Cos,
    quantization: ScalarKind.F32,
    connectivity: options.connectivity ?? 16,
    expansion_add: options.expansionAdd ?? 128,
    expansion_search: options.expansionSearch ?? 128,
    multi: false,
  });
  if (rows.length > 0) {
    const keys = new BigUint64Array(rows.length);
    const matrix = new Float32Array(rows.length * dim);
    rows.forEach((r, k) => {
      keys[k] = BigInt(userIndices[r]);
      matrix.set(userVectors.subarray(r * dim, (r + 1) * dim), k * dim);
    });
    index.add(keys, matrix, options.threads ?? 1);
  }
  return { index, dim, size: rows.length, rowByUser, vectors: userVectors };
}

export interface Neighbor {
  userIndex: number;
  /** Cosine similarity (1 − usearch's cosine distance). */
  sim: number;
}

/** The k approximate nearest listeners to `query` by cosine. */
export function searchListeners(listeners: ListenerIndex, query: Float32Array, k: number): Neighbor[] {
  const count = Math.min(Math.floor(k), listeners.size);
  if (count <= 0) return [];
  const found = listeners.index.search(query, count, 1);
  const out: Neighbor[] = [];
  for (let n = 0; n < found.keys.length; n++) {
    out.push({ userIndex: Number(found.keys[n]), sim: 1 - found.distances[n] });
  }
  return out;
}
