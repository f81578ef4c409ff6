import type { Rng } from '../util/rng';
import { evaluateAudience, type Membership } from './audience-expr';
import type { Drop, DropReason } from './drop';
import { localClock, QUARTER_HOUR_MS, type LocalClock } from './local-time';
import type { Branch, CompiledCampaign, DecisionSnapshot, Platform, Slot } from './snapshot';

export interface DecisionRequest {
  /** Slot id or slot key. */
  readonly slotId: string;
  readonly userId: string;
  readonly platform: Platform;
  /** Ads wanted; capped by the slot's maxAdsPerResponse. Default 1. */
  readonly count?: number;
  /** What the app says about the moment (hour, network, track…): selection ignores it, models score with it. */
  readonly context?: Readonly<Record<string, string | number | boolean>>;
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
  /**
   * Their ids. The same array object for every decision with the same slot, platform and winning branch
   * within a snapshot's eligibility window, so per-decision consumers can aggregate by identity.
   */
  readonly candidateIds: readonly string[];
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
 * eligibility (memoized per snapshot, slot, platform and quarter hour: see SlotEligibility), and
 * picks the first branch whose audience matches and that has an eligible candidate (membership
 * answers package questions for this listener). For bandit branches draws the arm from
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

  const eligibility = slotEligibility(snapshot, slot, request.platform, nowMs);
  let winner = -1;
  for (let i = 0; i < branches.length; i++) {
    if (eligibility.branchHasEligible[i] && evaluateAudience(branches[i].audience, membership)) {
      winner = i;
      break;
    }
  }
  const outcome = winnerOutcome(snapshot, slot, eligibility, branches, winner);
  const funnel = { candidates: eligibility.verdict.size, eligible: eligibility.eligibleCount, inAudience: outcome.candidates.length };
  if (winner < 0) return { kind: 'no_branch', slot, dropped: outcome.dropped, funnel };

  const winning = branches[winner];
  const candidates = outcome.candidates;
  const dropped = outcome.dropped;
  const key = outcome.branchKey as string;
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
    candidateIds: outcome.candidateIds,
    dropped,
    funnel,
    userId: request.userId,
    platform: request.platform,
    nowMs,
    want,
    adLoadTimeZone: snapshot.adLoadTimeZone,
    clocks: new Map<string, LocalClock>(),
  };
}

/**
 * Eligibility of a slot's policy campaigns for one platform, valid for every instant in
 * [fromMs, untilMs): within a snapshot only the clock changes a verdict, and the clock only matters
 * through schedule bounds (clipped into the window) and the local weekday and hour, which are constant
 * within a UTC quarter hour (see localClock). So the verdicts, and what each possible winning branch
 * leaves as candidates and drops, are computed once per slot, platform and quarter hour rather than
 * once per decision.
 */
interface SlotEligibility {
  readonly fromMs: number;
  readonly untilMs: number;
  /** Verdict per distinct campaign id, in order of first appearance in the policy. */
  readonly verdict: ReadonlyMap<string, DropReason | null>;
  readonly eligibleCount: number;
  readonly branchHasEligible: readonly boolean[];
  /** Outcome per winning branch index; index branches.length holds "no winner". Filled on first use. */
  readonly outcomes: (WinnerOutcome | undefined)[];
}

interface WinnerOutcome {
  readonly candidates: readonly CompiledCampaign[];
  readonly candidateIds: readonly string[];
  readonly dropped: readonly Drop[];
  /** branchKey() of the winner; null without one. */
  readonly branchKey: string | null;
}

const eligibilityMemo = new WeakMap<DecisionSnapshot, Map<string, Map<Platform, SlotEligibility>>>();

function slotEligibility(snapshot: DecisionSnapshot, slot: Slot, platform: Platform, nowMs: number): SlotEligibility {
  let bySlot = eligibilityMemo.get(snapshot);
  if (bySlot === undefined) {
    bySlot = new Map();
    eligibilityMemo.set(snapshot, bySlot);
  }
  let byPlatform = bySlot.get(slot.id);
  if (byPlatform === undefined) {
    byPlatform = new Map();
    bySlot.set(slot.id, byPlatform);
  }
  const memo = byPlatform.get(platform);
  if (memo !== undefined && nowMs >= memo.fromMs && nowMs < memo.untilMs) return memo;
  const fresh = computeSlotEligibility(snapshot, slot, platform, nowMs);
  byPlatform.set(platform, fresh);
  return fresh;
}

function computeSlotEligibility(snapshot: DecisionSnapshot, slot: Slot, platform: Platform, nowMs: number): SlotEligibility {
  const branches = snapshot.policiesBySlotId.get(slot.id)?.branches ?? [];
  const clocks = new Map<string, LocalClock>();
  const verdict = new Map<string, DropReason | null>();
  let fromMs = Math.floor(nowMs / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  let untilMs = fromMs + QUARTER_HOUR_MS;
  const clip = (boundaryMs: number | null) => {
    if (boundaryMs === null) return;
    if (boundaryMs > nowMs) untilMs = Math.min(untilMs, boundaryMs);
    else fromMs = Math.max(fromMs, boundaryMs);
  };
  for (const branch of branches) {
    for (const id of branch.campaignIds) {
      if (verdict.has(id)) continue;
      const campaign = snapshot.campaignsById.get(id);
      verdict.set(id, eligibilityDrop(campaign, slot, platform, nowMs, clocks));
      if (campaign !== undefined) {
        clip(campaign.startAtMs);
        clip(campaign.endAtMs);
      }
    }
  }
  let eligibleCount = 0;
  for (const v of verdict.values()) if (v === null) eligibleCount++;
  const branchHasEligible = branches.map((b) => b.campaignIds.some((id) => verdict.get(id) === null));
  return { fromMs, untilMs, verdict, eligibleCount, branchHasEligible, outcomes: new Array(branches.length + 1) };
}

/**
 * Candidates and drops when branch `winner` wins (-1: none does). Branches before the winner that had
 * an eligible campaign were passed over for their audience, so their eligible campaigns that the
 * winner does not also name are drops for 'audience'; other eligible campaigns outside it are 'not_ranked'.
 */
function winnerOutcome(snapshot: DecisionSnapshot, slot: Slot, eligibility: SlotEligibility, branches: readonly Branch[], winner: number): WinnerOutcome {
  const passedOver = winner < 0 ? branches.length : winner;
  const memo = eligibility.outcomes[passedOver];
  if (memo !== undefined) return memo;
  const { verdict } = eligibility;
  const outOfAudience = new Set<string>();
  for (let i = 0; i < passedOver; i++) {
    if (eligibility.branchHasEligible[i]) for (const id of branches[i].campaignIds) outOfAudience.add(id);
  }
  const inWinner = new Set(winner < 0 ? [] : branches[winner].campaignIds);
  const dropped: Drop[] = [];
  for (const [id, v] of verdict) {
    if (v !== null) dropped.push({ campaignId: id, reason: v });
    else if (!inWinner.has(id)) dropped.push({ campaignId: id, reason: outOfAudience.has(id) || winner < 0 ? 'audience' : 'not_ranked' });
  }
  const candidates: CompiledCampaign[] = [];
  // Snapshot lookups cannot miss here: a verdict of null means the campaign was found.
  for (const id of inWinner) if (verdict.get(id) === null) candidates.push(snapshot.campaignsById.get(id) as CompiledCampaign);
  const outcome = { candidates, candidateIds: candidates.map((c) => c.id), dropped, branchKey: winner < 0 ? null : branchKey(slot.id, branches[winner]) };
  eligibility.outcomes[passedOver] = outcome;
  return outcome;
}
