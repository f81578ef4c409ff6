import { ItemNeighbors } from './item-similarity';
import { PlayWeighting, playWeight, UserItem } from './recommend';

/**
 * Kept similarity of each (a, b) pair with a ∈ from, b ∈ to, read from both a's and b's top-k lists
 * (truncation makes the lists asymmetric; the larger kept value wins). Key = a * itemCount + b.
 */
function pairSims(neighbors: ItemNeighbors, from: ReadonlySet<number>, to: ReadonlySet<number>): Map<number, number> {
  const n = neighbors.itemCount;
  const out = new Map<number, number>();
  const keep = (a: number, b: number, s: number): void => {
    const key = a * n + b;
    const prev = out.get(key);
    if (prev === undefined || s > prev) out.set(key, s);
  };
  for (const a of from) {
    if (a >= n) continue;
    for (let e = neighbors.offsets[a]; e < neighbors.offsets[a + 1]; e++) {
      if (to.has(neighbors.neighbors[e])) keep(a, neighbors.neighbors[e], neighbors.sims[e]);
    }
  }
  for (const b of to) {
    if (b >= n) continue;
    for (let e = neighbors.offsets[b]; e < neighbors.offsets[b + 1]; e++) {
      if (from.has(neighbors.neighbors[e])) keep(neighbors.neighbors[e], b, neighbors.sims[e]);
    }
  }
  return out;
}

/**
 * A listener's affinity for a campaign whose associated items (artist, album, tag-items) are known:
 * affinity = mean over campaign items c of  Σ_j w_j·s(c,j) / Σ_j w_j,  j over the listener's items,
 * w_j the play weight, s(c,c) = 1 and s(c,j) the kept item-CF similarity (0 if neither top-k list holds it).
 * In [0, 1] when similarities are (IUF and Jaccard are); 0 for a listener or campaign without items.
 */
export function campaignAffinity(
  neighbors: ItemNeighbors,
  userItems: readonly UserItem[],
  campaignItems: ArrayLike<number>,
  weighting: PlayWeighting = 'binary',
): number {
  const weights = new Map<number, number>();
  let total = 0;
  for (const { item, plays } of userItems) {
    const w = playWeight(plays, weighting);
    if (w === 0) continue;
    weights.set(item, (weights.get(item) ?? 0) + w);
    total += w;
  }
  const campaign = new Set<number>(Array.from(campaignItems));
  if (total === 0 || campaign.size === 0) return 0;
  const sims = pairSims(neighbors, campaign, new Set(weights.keys()));
  const sumByCampaignItem = new Map<number, number>();
  for (const c of campaign) sumByCampaignItem.set(c, weights.get(c) ?? 0);
  const n = neighbors.itemCount;
  for (const [key, s] of sims) {
    const c = Math.floor(key / n);
    const j = key - c * n;
    sumByCampaignItem.set(c, (sumByCampaignItem.get(c) ?? 0) + s * (weights.get(j) ?? 0));
  }
  let sum = 0;
  for (const v of sumByCampaignItem.values()) sum += v / total;
  return sum / campaign.size;
}

/**
 * Similarity of two item sets by average best match, symmetrised:
 * S(A,B) = ½ (mean_{a∈A} max_{b∈B} s(a,b) + mean_{b∈B} max_{a∈A} s(a,b)), with s(a,a) = 1.
 * 1 for identical sets, 0 when no pair is similar or a set is empty.
 */
export function campaignSetSimilarity(neighbors: ItemNeighbors, a: ArrayLike<number>, b: ArrayLike<number>): number {
  const setA = new Set<number>(Array.from(a));
  const setB = new Set<number>(Array.from(b));
  if (setA.size === 0 || setB.size === 0) return 0;
  const bestA = new Map<number, number>();
  const bestB = new Map<number, number>();
  for (const x of setA) if (setB.has(x)) bestA.set(x, 1);
  for (const y of setB) if (setA.has(y)) bestB.set(y, 1);
  const n = neighbors.itemCount;
  for (const [key, s] of pairSims(neighbors, setA, setB)) {
    const x = Math.floor(key / n);
    const y = key - x * n;
    if (s > (bestA.get(x) ?? 0)) bestA.set(x, s);
    if (s > (bestB.get(y) ?? 0)) bestB.set(y, s);
  }
  let sumA = 0;
  for (const v of bestA.values()) sumA += v;
  let sumB = 0;
  for (const v of bestB.values()) sumB += v;
  return 0.5 * (sumA / setA.size + sumB / setB.size);
}

export interface CampaignItemSet {
  campaignId: string;
  items: ArrayLike<number>;
}

export interface SimilarCampaign {
  campaignId: string;
  sim: number;
}

/**
 * Campaign-to-campaign similarity from their item sets ({@link campaignSetSimilarity}); for each campaign
 * the at most `topN` others with sim > `minSim`, most similar first (ties by campaignId). O(C² · (|A|+|B|) · k).
 */
export function similarCampaigns(
  campaignItemSets: readonly CampaignItemSet[],
  neighbors: ItemNeighbors,
  topN = 10,
  minSim = 0,
): Map<string, SimilarCampaign[]> {
  const out = new Map<string, SimilarCampaign[]>();
  for (const c of campaignItemSets) out.set(c.campaignId, []);
  for (let x = 0; x < campaignItemSets.length; x++) {
    for (let y = x + 1; y < campaignItemSets.length; y++) {
      const a = campaignItemSets[x];
      const b = campaignItemSets[y];
      if (a.campaignId === b.campaignId) continue;
      const sim = campaignSetSimilarity(neighbors, a.items, b.items);
      if (!(sim > minSim)) continue;
      out.get(a.campaignId)!.push({ campaignId: b.campaignId, sim });
      out.get(b.campaignId)!.push({ campaignId: a.campaignId, sim });
    }
  }
  for (const [id, list] of out) {
    list.sort((p, q) => q.sim - p.sim || (p.campaignId < q.campaignId ? -1 : p.campaignId > q.campaignId ? 1 : 0));
    out.set(id, list.slice(0, Math.max(0, topN)));
  }
  return out;
}

export interface ClickHistory {
  clicks: number;
  impressions: number;
}

/** Default cap on borrowed evidence, in impressions: the new campaign's own first ~1000 impressions weigh as much. */
export const DEFAULT_MAX_BORROWED_IMPRESSIONS = 1000;

/**
 * CTR prior for a new campaign borrowed from similar campaigns' click history:
 * ctr = Σ sim·clicks / Σ sim·impressions and weight = min(maxWeight, Σ sim·impressions), sims ≤ 0 ignored.
 * Use as a Beta prior Beta(ctr·weight, (1−ctr)·weight). Nothing to borrow → { ctr: 0, weight: 0 } (a vacuous prior).
 */
export function borrowedCtr(
  similar: readonly SimilarCampaign[],
  ctrByCampaign: ReadonlyMap<string, ClickHistory>,
  maxWeight = DEFAULT_MAX_BORROWED_IMPRESSIONS,
): { ctr: number; weight: number } {
  let clicks = 0;
  let impressions = 0;
  for (const { campaignId, sim } of similar) {
    const history = ctrByCampaign.get(campaignId);
    if (!history || !(sim > 0) || !(history.impressions > 0)) continue;
    clicks += sim * Math.min(history.clicks, history.impressions);
    impressions += sim * history.impressions;
  }
  if (impressions === 0) return { ctr: 0, weight: 0 };
  return { ctr: clicks / impressions, weight: Math.min(maxWeight, impressions) };
}
