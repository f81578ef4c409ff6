import { TopK } from '../cf/top-k';
import { PlayWeighting, playWeight } from '../cf/recommend';

export interface ItemSimilarity {
  item: number;
  sim: number;
}

/** Cosine of two equal-length vectors; 0 when either is all zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d] * b[d];
    na += a[d] * a[d];
    nb += b[d] * b[d];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Euclidean norm of each row of a row-major count × dim matrix. */
export function vectorNorms(vectors: Float32Array, dim: number): Float64Array {
  const count = Math.floor(vectors.length / dim);
  const norms = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[i * dim + d] * vectors[i * dim + d];
    norms[i] = Math.sqrt(s);
  }
  return norms;
}

/**
 * A listener's taste vector: the play-weighted mean of the unit-normalised vectors of their items,
 * itself normalised to length 1 (all-zero when no item has a non-zero vector and positive weight).
 * Unit-normalising items first keeps one high-norm (frequent) item from dominating. Weight per item:
 * 'log-plays' ln(1+plays) (default; play counts are heavy-tailed), 'plays', or 'binary'.
 * `plays` omitted → every item weighs 1.
 */
export function userVector(
  vectors: Float32Array,
  dim: number,
  items: ArrayLike<number>,
  plays?: ArrayLike<number>,
  weighting: PlayWeighting = 'log-plays',
): Float32Array {
  const sum = new Float64Array(dim);
  for (let k = 0; k < items.length; k++) {
    const w = plays === undefined ? 1 : playWeight(plays[k], weighting);
    if (w === 0) continue;
    const offset = items[k] * dim;
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += vectors[offset + d] * vectors[offset + d];
    if (norm === 0) continue;
    const scale = w / Math.sqrt(norm);
    for (let d = 0; d < dim; d++) sum[d] += vectors[offset + d] * scale;
  }
  let total = 0;
  for (let d = 0; d < dim; d++) total += sum[d] * sum[d];
  const out = new Float32Array(dim);
  if (total === 0) return out;
  const inv = 1 / Math.sqrt(total);
  for (let d = 0; d < dim; d++) out[d] = sum[d] * inv;
  return out;
}

/**
 * Brute-force k nearest rows to `query` by cosine, best first (ties: lower id); rows in `exclude` and
 * all-zero rows skipped. O(count · dim). Pass `norms` from {@link vectorNorms} to reuse them across queries.
 */
export function nearestToVector(
  vectors: Float32Array,
  dim: number,
  query: ArrayLike<number>,
  k: number,
  exclude?: ReadonlySet<number>,
  norms: Float64Array = vectorNorms(vectors, dim),
): ItemSimilarity[] {
  let qn = 0;
  for (let d = 0; d < dim; d++) qn += query[d] * query[d];
  if (qn === 0 || k <= 0) return [];
  qn = Math.sqrt(qn);
  const heap = new TopK(Math.floor(k));
  for (let i = 0; i < norms.length; i++) {
    if (norms[i] === 0 || exclude?.has(i)) continue;
    let dot = 0;
    const offset = i * dim;
    for (let d = 0; d < dim; d++) dot += vectors[offset + d] * query[d];
    heap.offer(i, dot / (norms[i] * qn));
  }
  return heap.sortedIndices().map((h) => ({ item: heap.ids[h], sim: heap.sims[h] }));
}

/** The k items most cosine-similar to `item` (itself excluded), brute force; see {@link nearestToVector}. */
export function nearestItems(
  vectors: Float32Array,
  dim: number,
  item: number,
  k: number,
  norms?: Float64Array,
): ItemSimilarity[] {
  const query = vectors.subarray(item * dim, (item + 1) * dim);
  return nearestToVector(vectors, dim, query, k, new Set([item]), norms);
}
