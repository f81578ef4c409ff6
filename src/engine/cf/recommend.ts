import { ItemNeighbors } from './item-similarity';

export interface UserItem {
  item: number;
  plays: number;
}

export interface ScoredItem {
  item: number;
  score: number;
}

/** How a listener's play count turns into the weight of that item's vote: 1, ln(1+plays) or plays. */
export type PlayWeighting = 'binary' | 'log-plays' | 'plays';

/** Vote weight of one played item; non-positive plays give 0. */
export function playWeight(plays: number, weighting: PlayWeighting): number {
  if (!(plays > 0)) return 0;
  return weighting === 'binary' ? 1 : weighting === 'log-plays' ? Math.log1p(plays) : plays;
}

/**
 * Item-CF recommendation (Sarwar et al. 2001; Xiang Liang's ItemCF): score(i) = Σ_{j ∈ user's items} sim(j→i)·w_j,
 * where sim(j→i) is i's similarity in j's top-k list and w_j the play weight (default 'binary', i.e. 1).
 * The user's own items and `exclude` are never returned. Returns at most k items, best first
 * (ties by lower item id); items no neighbour list reaches are not returned.
 */
export function recommendForUser(
  neighbors: ItemNeighbors,
  userItems: readonly UserItem[],
  k: number,
  exclude: ReadonlySet<number>,
  weighting: PlayWeighting = 'binary',
): ScoredItem[] {
  const own = new Set<number>();
  for (const { item } of userItems) own.add(item);
  const scores = new Map<number, number>();
  for (const { item: j, plays } of userItems) {
    if (j >= neighbors.itemCount) continue;
    const w = playWeight(plays, weighting);
    if (w === 0) continue;
    for (let e = neighbors.offsets[j]; e < neighbors.offsets[j + 1]; e++) {
      const i = neighbors.neighbors[e];
      if (own.has(i) || exclude.has(i)) continue;
      scores.set(i, (scores.get(i) ?? 0) + neighbors.sims[e] * w);
    }
  }
  const ranked: ScoredItem[] = [];
  for (const [item, score] of scores) ranked.push({ item, score });
  ranked.sort((a, b) => b.score - a.score || a.item - b.item);
  return ranked.slice(0, Math.max(0, k));
}
