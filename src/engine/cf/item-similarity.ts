import { buildCsr, Csr, PlayMatrix, transposeCsr } from './play-matrix';
import { TopK } from './top-k';

export type ItemSimilarityKind = 'iuf' | 'jaccard';

export interface ItemNeighborsOptions {
  similarity: ItemSimilarityKind;
  /** Neighbours kept per item (the most similar, ties broken by the lower item id). */
  topK: number;
  /**
   * Listeners with more items than this keep only their most-played ones (ties: lower item id) before
   * anything is counted, so N(i), N(u) and the formula all refer to the capped data. Work is Σ_u |N(u)|²,
   * so one listener with 10⁵ items would cost 10¹⁰ pair updates; the cap bounds it. Default: no cap.
   */
  maxItemsPerUser?: number;
  /**
   * 'max' divides each item's kept similarities by its largest one (Karypis 2001 / Xiang Liang's
   * "ItemCF-Norm"), so every item a listener played votes on the same scale. Default 'none'.
   */
  normalize?: 'none' | 'max';
}

/**
 * Top-k neighbour lists for every item, flat: item i's neighbours are neighbors[offsets[i]..offsets[i+1]),
 * sorted by similarity descending (ties by lower id), with sims in the same positions.
 */
export interface ItemNeighbors {
  itemCount: number;
  topK: number;
  similarity: ItemSimilarityKind;
  offsets: Uint32Array;
  neighbors: Uint32Array;
  sims: Float64Array;
  /** |N(i)|: listeners of each item in the (capped) training data. */
  itemDegree: Uint32Array;
}

/** Keeps each user's `cap` most-played items (ties: lower item id), or the CSR unchanged when no cap applies. */
function capUsers(byUser: Csr, cap: number | undefined): Csr {
  if (cap === undefined || !Number.isFinite(cap)) return byUser;
  let needsCap = false;
  for (let u = 0; u < byUser.rowCount && !needsCap; u++) needsCap = byUser.offsets[u + 1] - byUser.offsets[u] > cap;
  if (!needsCap) return byUser;
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let u = 0; u < byUser.rowCount; u++) {
    const start = byUser.offsets[u];
    const end = byUser.offsets[u + 1];
    const order = Array.from({ length: end - start }, (_, k) => start + k);
    if (order.length > cap) {
      order.sort((a, b) => byUser.values[b] - byUser.values[a] || byUser.cols[a] - byUser.cols[b]);
      order.length = cap;
    }
    for (const e of order) {
      rows.push(u);
      cols.push(byUser.cols[e]);
      vals.push(byUser.values[e]);
    }
  }
  return buildCsr(byUser.rowCount, Uint32Array.from(rows), Uint32Array.from(cols), vals);
}

/**
 * Item–item similarities over co-listening, top-k per item.
 * - 'iuf' (Breese et al. 1998 inverse user frequency, as in Xiang Liang's item-CF with the user activity
 *   penalty): sim(i,j) = Σ_{u ∈ N(i)∩N(j)} 1/ln(1+|N(u)|) / sqrt(|N(i)|·|N(j)|).
 * - 'jaccard': |N(i)∩N(j)| / |N(i)∪N(j)|.
 * N(i) = listeners of item i, N(u) = items of listener u (play counts only decide membership and the cap).
 * Work is Σ_u |N(u)|² (each listener's item pairs), memory O(itemCount · topK). Deterministic.
 */
export function buildItemNeighbors(data: PlayMatrix, options: ItemNeighborsOptions): ItemNeighbors {
  const { itemCount } = data;
  const topK = Math.max(0, Math.floor(options.topK));
  const byUser = capUsers(buildCsr(data.userCount, data.users, data.items, data.plays), options.maxItemsPerUser);
  const byItem = transposeCsr(byUser, itemCount);

  const userWeight = new Float64Array(byUser.rowCount);
  for (let u = 0; u < byUser.rowCount; u++) {
    const degree = byUser.offsets[u + 1] - byUser.offsets[u];
    userWeight[u] = options.similarity === 'iuf' ? 1 / Math.log(1 + degree) : 1;
  }
  const itemDegree = new Uint32Array(itemCount);
  for (let i = 0; i < itemCount; i++) itemDegree[i] = byItem.offsets[i + 1] - byItem.offsets[i];

  const acc = new Float64Array(itemCount);
  const touched = new Uint32Array(itemCount);
  const offsets = new Uint32Array(itemCount + 1);
  const outIds: number[] = [];
  const outSims: number[] = [];
  const heap = new TopK(topK);

  for (let i = 0; i < itemCount; i++) {
    offsets[i] = outIds.length;
    let touchedCount = 0;
    for (let e = byItem.offsets[i]; e < byItem.offsets[i + 1]; e++) {
      const u = byItem.cols[e];
      const w = userWeight[u];
      for (let f = byUser.offsets[u]; f < byUser.offsets[u + 1]; f++) {
        const j = byUser.cols[f];
        if (j === i) continue;
        if (acc[j] === 0) touched[touchedCount++] = j;
        acc[j] += w;
      }
    }
    heap.reset();
    const di = itemDegree[i];
    for (let t = 0; t < touchedCount; t++) {
      const j = touched[t];
      const co = acc[j];
      acc[j] = 0;
      const dj = itemDegree[j];
      const sim = options.similarity === 'iuf' ? co / Math.sqrt(di * dj) : co / (di + dj - co);
      heap.offer(j, sim);
    }
    const kept = heap.sortedIndices();
    const scale = options.normalize === 'max' && kept.length > 0 ? heap.sims[kept[0]] : 1;
    for (const k of kept) {
      outIds.push(heap.ids[k]);
      outSims.push(heap.sims[k] / scale);
    }
  }
  offsets[itemCount] = outIds.length;
  return {
    itemCount,
    topK,
    similarity: options.similarity,
    offsets,
    neighbors: Uint32Array.from(outIds),
    sims: Float64Array.from(outSims),
    itemDegree,
  };
}
