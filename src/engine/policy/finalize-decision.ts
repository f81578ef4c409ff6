import type { CandidateReserveResult, ReserveOutcome } from '../caps/counter-store';
import type { Rng } from '../util/rng';
import type { Drop, DropReason } from './drop';
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
  /** Every candidate that is not in the response, with its reason; built on the first call (most decisions never ask). */
  explain(): readonly Drop[];
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
  const { results } = outcome;
  // Per ranked campaign, why it is not in the response (null: served). Drop objects are only built
  // when explain() is called.
  const reasons: (DropReason | null)[] = new Array(ranking.ranked.length);
  const ads: ServedAd[] = [];
  const served = new Set<string>();
  let rejected = 0;
  let verdicts: Map<string, CandidateReserveResult> | null = null;
  for (let i = 0; i < ranking.ranked.length; i++) {
    const r = ranking.ranked[i];
    // Stores answer in plan order; look up by id only when they did not.
    let v: CandidateReserveResult | undefined = results[i];
    if (v?.id !== r.campaign.id) v = (verdicts ??= new Map(results.map((x) => [x.id, x] as const))).get(r.campaign.id);
    if (v?.status === 'rejected') {
      rejected++;
      reasons[i] = v.reason;
      continue;
    }
    if (v?.status !== 'chosen' || served.has(r.campaign.id)) {
      reasons[i] = served.has(r.campaign.id) ? null : 'not_ranked';
      continue;
    }
    const pick = pickCreative(r.campaign.creatives, selection.slot.format, rng);
    if (pick === null) {
      reasons[i] = 'slot';
      continue;
    }
    reasons[i] = null;
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
  return new Final(ads.length > 0 ? 'filled' : 'no_fill', ads, { candidates: selection.funnel.candidates, eligible: selection.funnel.eligible, inAudience: selection.funnel.inAudience, underCaps: selection.funnel.inAudience - rejected, chosen: ads.length }, ranking, reasons);
}

/**
 * A class, and the funnel spelled out field by field, because both shapes it replaces take V8's slow
 * paths on Node 20: an object literal with a getter builds a closure and an accessor pair per
 * decision, and once optimized, `{ ...funnel, underCaps, chosen }` (a spread followed by properties
 * the source lacks) makes a runtime call and a fresh hidden class every time. Together they made a
 * decision's garbage live long enough to be promoted (docs/performance.md, "GC and V8").
 */
class Final implements FinalDecision {
  private explained: Drop[] | null = null;

  constructor(
    readonly kind: 'filled' | 'no_fill',
    readonly ads: readonly ServedAd[],
    readonly funnel: DecisionFunnel,
    private readonly ranking: Ranking,
    private readonly reasons: readonly (DropReason | null)[],
  ) {}

  explain(): readonly Drop[] {
    if (this.explained === null) {
      const explain = [...this.ranking.selection.dropped];
      this.reasons.forEach((reason, i) => {
        if (reason !== null) explain.push({ campaignId: this.ranking.ranked[i].campaign.id, reason });
      });
      this.explained = explain;
    }
    return this.explained;
  }
}
