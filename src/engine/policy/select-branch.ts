import type { Rng } from '../util/rng';
import { evaluateAudience, type Membership } from './audience-expr';
import type { Drop, DropReason } from './drop';
import { localClock, type LocalClock } from './local-time';
import type { Branch, CompiledCampaign, DecisionSnapshot, Platform, Slot } from './snapshot';

export interface DecisionRequest {
  /** Slot id or slot key. */
  readonly slotId: string;
  readonly userId: string;
  readonly platform: Platform;
  /** Ads wanted; capped by the slot's maxAdsPerResponse. Default 1. */
  readonly count?: number;
}

export interface ArmWeight {
  readonly modelId: string;
  readonly weight: number;
}

export interface SelectOptions {
  /** Bandit allocation per branchKey (see branchKey()); missing → uniform over the branch's arms. */
  readonly armWeights?: ReadonlyMap<string, readonly ArmWeight[]>;
}

export interface ArmChoice {
  readonly armIndex: number;
  readonly modelId: string;
  /** Probability with which this arm was drawn. */
  readonly probability: number;
}

export interface SelectionFunnel {
  /** Distinct campaigns named by the slot's policy. */
  readonly candidates: number;
  /** …that pass status, slot, platform, schedule and day-part. */
  readonly eligible: number;
  /** …eligible and in the winning branch (0 without a winner). */
  readonly inAudience: number;
}

export interface BranchSelected {
  readonly kind: 'selected';
  readonly snapshotVersion: string;
  readonly slot: Slot;
  readonly branch: Branch;
  readonly branchIndex: number;
  readonly branchKey: string;
  /** Drawn arm for bandit branches with arms, else null. */
  readonly arm: ArmChoice | null;
  /** Eligible campaigns of the branch, deduplicated, in branch order. */
  readonly candidates: readonly CompiledCampaign[];
  readonly dropped: readonly Drop[];
  readonly funnel: SelectionFunnel;
  readonly userId: string;
  readonly platform: Platform;
  readonly nowMs: number;
  readonly want: number;
  /** Zone of the slot ad-load cap's day/week buckets. */
  readonly adLoadTimeZone: string;
  /** Memo of local clocks by time zone at nowMs (ranking adds to it); reused for cap and pacing buckets. */
  readonly clocks: Map<string, LocalClock>;
}

export type SelectionResult =
  | BranchSelected
  | { readonly kind: 'unknown_slot'; readonly slotId: string }
  | { readonly kind: 'platform_not_served'; readonly slot: Slot; readonly platform: Platform }
  | { readonly kind: 'no_branch'; readonly slot: Slot; readonly dropped: readonly Drop[]; readonly funnel: SelectionFunnel };

/** Stable identity of a branch for bandit state and metrics: `<slotId>:<branchName>`. */
export function branchKey(slotId: string, branch: Branch): string {
  return `${slotId}:${branch.name}`;
}

/** Local clock of a zone, computed once per decision. */
export function clockFor(clocks: Map<string, LocalClock>, timeZone: string, nowMs: number): LocalClock {
  let c = clocks.get(timeZone);
  if (c === undefined) {
    c = localClock(nowMs, timeZone);
    clocks.set(timeZone, c);
  }
  return c;
}

/**
 * Why a campaign cannot serve this slot/platform at nowMs, or null when eligible. Order of checks:
 * status → slot (assigned, and has a creative in the slot's format) → platform → schedule [startAt, endAt)
 * → day-part (local weekday/hour in the campaign's zone).
 */
export function eligibilityDrop(
  campaign: CompiledCampaign | undefined,
  slot: Slot,
  platform: Platform,
  nowMs: number,
  clocks: Map<string, LocalClock>,
): DropReason | null {
  if (campaign === undefined || campaign.status !== 'active') return 'status';
  if (!campaign.slotIds.includes(slot.id) || !campaign.creatives.some((c) => c.formats.includes(slot.format))) return 'slot';
  if (!campaign.platforms.includes(platform)) return 'platform';
  if (nowMs < campaign.startAtMs || (campaign.endAtMs !== null && nowMs >= campaign.endAtMs)) return 'schedule';
  const clock = clockFor(clocks, campaign.schedule.timeZone, nowMs);
  if (campaign.dayPartMask[clock.weekday * 24 + clock.hour] !== 1) return 'day_part';
  return null;
}

/** Draws a bandit arm from allocation weights (uniform when none usable); one rng draw. */
export function drawArm(branch: Branch, weights: readonly ArmWeight[] | undefined, rng: Rng): ArmChoice | null {
  const arms = branch.arms ?? [];
  if (arms.length === 0) return null;
  let w = arms.map((arm) => {
    const found = weights?.find((x) => x.modelId === arm.modelId)?.weight ?? 0;
    return Number.isFinite(found) && found > 0 ? found : 0;
  });
  let total = w.reduce((s, x) => s + x, 0);
  if (total <= 0) {
    w = arms.map(() => 1);
    total = arms.length;
  }
  const u = rng.next() * total;
  let acc = 0;
  let pick = arms.length - 1;
  for (let i = 0; i < arms.length; i++) {
    acc += w[i];
    if (u < acc && w[i] > 0) {
      pick = i;
      break;
    }
  }
  while (w[pick] === 0) pick--; // floating-point tail: land on the last arm with weight
  return { armIndex: pick, modelId: arms[pick].modelId, probability: w[pick] / total };
}

/**
 * Phase 1 of a decision (pure): resolves the slot, checks every campaign of the slot's policy for
 * eligibility, and picks the first branch whose audience matches and that has an eligible candidate
 * (membership answers package questions for this listener). For bandit branches draws the arm from
 * options.armWeights and records its probability. Uses the rng only for the arm draw.
 */
export function selectBranch(
  snapshot: DecisionSnapshot,
  request: DecisionRequest,
  membership: Membership,
  nowMs: number,
  rng: Rng,
  options: SelectOptions = {},
): SelectionResult {
  const slot = snapshot.slotsById.get(request.slotId) ?? snapshot.slotsByKey.get(request.slotId);
  if (slot === undefined) return { kind: 'unknown_slot', slotId: request.slotId };
  if (!slot.platforms.includes(request.platform)) return { kind: 'platform_not_served', slot, platform: request.platform };
  const branches = snapshot.policiesBySlotId.get(slot.id)?.branches ?? [];

  const clocks = new Map<string, LocalClock>();
  const verdict = new Map<string, DropReason | null>();
  for (const branch of branches) {
    for (const id of branch.campaignIds) {
      if (!verdict.has(id)) verdict.set(id, eligibilityDrop(snapshot.campaignsById.get(id), slot, request.platform, nowMs, clocks));
    }
  }
  let eligibleCount = 0;
  for (const v of verdict.values()) if (v === null) eligibleCount++;

  let winner = -1;
  const outOfAudience = new Set<string>();
  for (let i = 0; i < branches.length; i++) {
    const branch = branches[i];
    const hasEligible = branch.campaignIds.some((id) => verdict.get(id) === null);
    if (!hasEligible) continue;
    if (evaluateAudience(branch.audience, membership)) {
      winner = i;
      break;
    }
    for (const id of branch.campaignIds) outOfAudience.add(id);
  }

  const winning = winner >= 0 ? branches[winner] : null;
  const inWinner = new Set(winning?.campaignIds ?? []);
  const dropped: Drop[] = [];
  for (const [id, v] of verdict) {
    if (v !== null) dropped.push({ campaignId: id, reason: v });
    else if (!inWinner.has(id)) dropped.push({ campaignId: id, reason: outOfAudience.has(id) || winning === null ? 'audience' : 'not_ranked' });
  }

  if (winning === null) return { kind: 'no_branch', slot, dropped, funnel: { candidates: verdict.size, eligible: eligibleCount, inAudience: 0 } };

  const candidates: CompiledCampaign[] = [];
  for (const id of inWinner) if (verdict.get(id) === null) candidates.push(snapshot.campaignsById.get(id) as CompiledCampaign);
  const key = branchKey(slot.id, winning);
  const arm = winning.method === 'bandit' ? drawArm(winning, options.armWeights?.get(key), rng) : null;
  const want = Math.max(1, Math.min(slot.maxAdsPerResponse, Math.floor(request.count ?? 1)));
  return {
    kind: 'selected',
    snapshotVersion: snapshot.version,
    slot,
    branch: winning,
    branchIndex: winner,
    branchKey: key,
    arm,
    candidates,
    dropped,
    funnel: { candidates: verdict.size, eligible: eligibleCount, inAudience: candidates.length },
    userId: request.userId,
    platform: request.platform,
    nowMs,
    want,
    adLoadTimeZone: snapshot.adLoadTimeZone,
    clocks,
  };
}
