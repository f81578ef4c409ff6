import { PlayWeighting, playWeight, ScoredItem, UserItem } from '../cf/recommend';
import { TopK } from '../cf/top-k';
import { Item2vecModel } from './sgns';

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

/**
 * Ranks items for a listener with both sides of the SGNS model. At the SGNS optimum (Levy & Goldberg 2014)
 * syn0_j·syn1_i = log P(i | j) − log k − log Pn(i), where Pn(i) ∝ count(i)^popularityBias is the negative
 * distribution; adding popularityBias·ln count(i) back gives log P(i | j) up to a constant, so
 * score(i) = Σ_j w_j·(syn0_j·syn1_i) / Σ_j w_j + popularityBias·ln count(i)
 * is the log of the (weighted) geometric mean of P(i | j) over the listener's items j. Unlike cosine between
 * input vectors, this keeps how likely an item is, not only which items it resembles.
 * Own items, `exclude` and items the model dropped (count 0) are skipped; best first, ties by lower id. O(items · dim).
 */
export function recommendByContext(
  model: Item2vecModel,
  userItems: readonly UserItem[],
  k: number,
  exclude?: ReadonlySet<number>,
  weighting: PlayWeighting = 'binary',
): ScoredItem[] {
  const { dim, vectors, contextVectors, itemCounts } = model;
  const query = new Float64Array(dim);
  let total = 0;
  const own = new Set<number>();
  for (const { item, plays } of userItems) {
    own.add(item);
    const w = playWeight(plays, weighting);
    if (w === 0 || item >= model.itemCount || itemCounts[item] === 0) continue;
    total += w;
    for (let d = 0; d < dim; d++) query[d] += w * vectors[item * dim + d];
  }
  if (total === 0 || k <= 0) return [];
  for (let d = 0; d < dim; d++) query[d] /= total;
  const heap = new TopK(Math.floor(k));
  for (let i = 0; i < model.itemCount; i++) {
    if (itemCounts[i] === 0 || own.has(i) || exclude?.has(i)) continue;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += query[d] * contextVectors[i * dim + d];
    heap.offer(i, dot + model.popularityBias * Math.log(itemCounts[i]));
  }
  return heap.sortedIndices().map((h) => ({ item: heap.ids[h], score: heap.sims[h] }));
}
