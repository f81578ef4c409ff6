import type { ReserveOutcome } from '../caps/counter-store';
import type { Rng } from '../util/rng';
import type { Drop } from './drop';
import type { Ranking } from './rank-candidates';
import type { CompiledCampaign, Creative, SlotFormat } from './snapshot';

export interface ServedAd {
  readonly campaign: CompiledCampaign;
  readonly creative: Creative;
  /** Probability of this creative among the campaign's creatives that fit the slot. */
  readonly creativeProbability: number;
  /** 0-based position in the response. */
  readonly slotPosition: number;
  /** Position in the ranking (before counters rejected anyone). */
  readonly rankPosition: number;
  /** Ranking propensity (branch × arm × order × exploration) — see rankCandidates. */
  readonly propensity: number;
  readonly score: number | null;
  readonly isExplored: boolean;
}

export interface DecisionFunnel {
  readonly candidates: number;
  readonly eligible: number;
  readonly inAudience: number;
  /** In-audience campaigns that no counter check rejected (those never evaluated count as under caps). */
  readonly underCaps: number;
  readonly chosen: number;
}

export interface FinalDecision {
  readonly kind: 'filled' | 'no_fill';
  readonly ads: readonly ServedAd[];
  /** Every candidate that is not in the response, with its reason. */
  readonly explain: readonly Drop[];
  readonly funnel: DecisionFunnel;
}

/**
 * Weighted random pick among creatives whose formats include the slot's format (one rng draw).
 * Returns null when none fits. Probability of creative i = weight_i / Σ weights of fitting creatives.
 */
export function pickCreative(creatives: readonly Creative[], format: SlotFormat, rng: Rng): { creative: Creative; probability: number } | null {
  const fitting = creatives.filter((c) => c.formats.includes(format) && c.weight > 0);
  if (fitting.length === 0) return null;
  const total = fitting.reduce((s, c) => s + c.weight, 0);
  const u = rng.next() * total;
  let acc = 0;
  for (const c of fitting) {
    acc += c.weight;
    if (u < acc) return { creative: c, probability: c.weight / total };
  }
  const last = fitting[fitting.length - 1];
  return { creative: last, probability: last.weight / total };
}

/**
 * Phase 3 of a decision (pure): turns the counter store's verdicts into the response. Chosen campaigns keep
 * rank order, at most one ad per campaign, each with a creative rotated by weight (one rng draw per ad).
 * explain = selection drops + counter rejections (their check's reason) + ranked campaigns the store never
 * evaluated ('not_ranked').
 */
export function finalizeDecision(ranking: Ranking, outcome: ReserveOutcome, rng: Rng): FinalDecision {
  const { selection } = ranking;
  const explain: Drop[] = [...selection.dropped];
  const verdicts = new Map(outcome.results.map((r) => [r.id, r] as const));
  const ads: ServedAd[] = [];
  const served = new Set<string>();
  let rejected = 0;
  for (const r of ranking.ranked) {
    const v = verdicts.get(r.campaign.id);
    if (v?.status === 'rejected') {
      rejected++;
      explain.push({ campaignId: r.campaign.id, reason: v.reason });
      continue;
    }
    if (v?.status !== 'chosen' || served.has(r.campaign.id)) {
      if (!served.has(r.campaign.id)) explain.push({ campaignId: r.campaign.id, reason: 'not_ranked' });
      continue;
    }
    const pick = pickCreative(r.campaign.creatives, selection.slot.format, rng);
    if (pick === null) {
      explain.push({ campaignId: r.campaign.id, reason: 'slot' });
      continue;
    }
    served.add(r.campaign.id);
    ads.push({
      campaign: r.campaign,
      creative: pick.creative,
      creativeProbability: pick.probability,
      slotPosition: ads.length,
      rankPosition: r.position,
      propensity: r.propensity,
      score: r.score,
      isExplored: r.isExplored,
    });
  }
  return {
    kind: ads.length > 0 ? 'filled' : 'no_fill',
    ads,
    explain,
    funnel: { ...selection.funnel, underCaps: selection.funnel.inAudience - rejected, chosen: ads.length },
  };
}
