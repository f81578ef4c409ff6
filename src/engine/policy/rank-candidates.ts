import { adLoadCheck, CapBuckets, frequencyCapChecks, suppressionCheck } from '../caps/frequency-caps';
import type { CounterCheck, ReservePlan } from '../caps/counter-store';
import { DEFAULT_PACING, goalChecks, goalUrgency, type PacingOptions } from '../pacing/pacing';
import type { Rng } from '../util/rng';
import { dayElapsedFraction } from './local-time';
import { clockFor, type BranchSelected } from './select-branch';
import type { CompiledCampaign } from './snapshot';

/** Predicted CTR per campaign id from the branch's model (or the drawn arm's model), or why there are none. */
export type CandidateScores = ReadonlyMap<string, number> | { readonly kind: 'unavailable'; readonly reason: string };

export interface RankOptions {
  /** Probability of moving one campaign with exploration budget left to the front. Default 0. */
  readonly explorationShare?: number;
  /** Exploration impressions left per campaign id; > 0 makes a campaign explorable. */
  readonly explorationRemaining?: ReadonlyMap<string, number>;
  /** Today's count of each campaign's goal metric (clicks/conversions), for expected-value urgency. */
  readonly goalProgressToday?: ReadonlyMap<string, number>;
  readonly pacing?: PacingOptions;
}

/** How the base order was produced. */
export type RankOrder = 'designated' | 'priority' | 'model' | 'random';

export interface RankedCandidate {
  /** The campaign's id: a ranked candidate is also a reserve plan candidate. */
  readonly id: string;
  readonly campaign: CompiledCampaign;
  /** 0-based rank position. */
  readonly position: number;
  /** Model score (predicted CTR) if one was used. */
  readonly score: number | null;
  /** The value sorted on: priority, score × urgency, or null for designated/random orders. */
  readonly value: number | null;
  /** Probability that the logging policy put this campaign at this position (see rankCandidates). */
  readonly propensity: number;
  readonly isExplored: boolean;
  /** In evaluation order: suppression, total goal, daily goal/pacing, frequency caps, slot ad-load cap. */
  readonly checks: readonly CounterCheck[];
}

export interface Ranking {
  readonly kind: 'ranked';
  readonly selection: BranchSelected;
  readonly order: RankOrder;
  /** Model id whose scores ordered the list (branch model or drawn arm), else null. */
  readonly modelId: string | null;
  readonly fallback: { readonly to: 'priority'; readonly reason: string } | null;
  readonly exploration: { readonly campaignId: string; readonly probability: number } | null;
  readonly ranked: readonly RankedCandidate[];
  readonly want: number;
}

/**
 * Which model's scores rankCandidates needs for this selection (decide() asks the scorer for them before ranking);
 * null for designated, priority, 'random' (as a bandit arm or as a model branch's model), or a model/bandit branch without a model.
 */
export function requiredModel(selection: BranchSelected): string | null {
  const { branch, arm } = selection;
  if (branch.method === 'model') return branch.modelId === 'random' ? null : branch.modelId;
  if (branch.method === 'bandit') return arm === null || arm.modelId === 'random' ? null : arm.modelId;
  return null;
}

interface Base {
  campaign: CompiledCampaign;
  score: number | null;
  value: number | null;
  /**
   * The base order's own randomness: the campaign lands uniformly on one of the positions
   * [groupStart, groupStart + groupSize) (a tie group, or the whole list when shuffled; size 1 = fixed).
   */
  groupStart: number;
  groupSize: number;
}

function fixed<T extends { campaign: CompiledCampaign; score: number | null; value: number | null }>(rows: T[]): Base[] {
  return rows.map((r, i) => ({ campaign: r.campaign, score: r.score, value: r.value, groupStart: i, groupSize: 1 }));
}

/**
 * A candidate list's priority order, cut into tie groups, and one row per candidate (its tie group's
 * span is fixed, only the order inside a group is drawn). The candidate list of a slot and branch is
 * the same array for a whole eligibility window (see BranchSelected.candidateIds), so this runs once
 * per window, not once per decision; rows are never mutated, and a decision's own state (positions,
 * exploration) lives in per-decision maps keyed by them.
 */
interface PriorityPlan {
  readonly groups: readonly (readonly number[])[];
  /** Indexed like the candidate list. */
  readonly rows: readonly Base[];
  /** The whole order when there are no ties. */
  readonly tieFree: readonly Base[] | null;
}

const priorityPlanMemo = new WeakMap<readonly CompiledCampaign[], PriorityPlan>();

function priorityPlan(candidates: readonly CompiledCampaign[]): PriorityPlan {
  let plan = priorityPlanMemo.get(candidates);
  if (plan === undefined) {
    const order = candidates.map((_, i) => i);
    order.sort((x, y) => candidates[y].priority - candidates[x].priority || candidates[y].creativeWeightSum - candidates[x].creativeWeightSum || x - y);
    const groups: number[][] = [];
    for (const i of order) {
      const last = groups[groups.length - 1];
      const head = last === undefined ? undefined : candidates[last[0]];
      if (head !== undefined && head.priority === candidates[i].priority && head.creativeWeightSum === candidates[i].creativeWeightSum) last.push(i);
      else groups.push([i]);
    }
    const rows: Base[] = new Array(candidates.length);
    let start = 0;
    for (const group of groups) {
      for (const i of group) rows[i] = { campaign: candidates[i], score: null, value: candidates[i].priority, groupStart: start, groupSize: group.length };
      start += group.length;
    }
    plan = { groups, rows, tieFree: groups.length === candidates.length ? groups.map(([i]) => rows[i]) : null };
    priorityPlanMemo.set(candidates, plan);
  }
  return plan;
}

function priorityOrder(candidates: readonly CompiledCampaign[], rng: Rng): readonly Base[] {
  // One tie key per candidate, drawn in candidate order, whether or not it has a tie: the rng
  // sequence (and so every seeded order) does not depend on how the ties fall.
  const { groups, rows, tieFree } = priorityPlan(candidates);
  if (tieFree !== null) {
    for (let i = 0; i < candidates.length; i++) rng.next();
    return tieFree;
  }
  const ties = new Float64Array(candidates.length);
  for (let i = 0; i < candidates.length; i++) ties[i] = rng.next();
  const out: Base[] = [];
  for (const group of groups) {
    if (group.length === 1) out.push(rows[group[0]]);
    else if (group.length === 2) {
      const [x, y] = group;
      if (ties[y] < ties[x]) out.push(rows[y], rows[x]);
      else out.push(rows[x], rows[y]);
    } else for (const i of [...group].sort((x, y) => ties[x] - ties[y])) out.push(rows[i]);
  }
  return out;
}

function shuffledOrder(candidates: readonly CompiledCampaign[], rng: Rng): Base[] {
  const out = candidates.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.map((campaign) => ({ campaign, score: null, value: null, groupStart: 0, groupSize: out.length }));
}

function modelOrder(selection: BranchSelected, scores: ReadonlyMap<string, number>, options: RankOptions): Base[] {
  const rows = selection.candidates.map((campaign) => {
    const score = scores.get(campaign.id);
    if (score === undefined || !Number.isFinite(score)) return { campaign, score: null, value: null as number | null };
    const goal = campaign.goal;
    let urgency = 1;
    if (goal !== null && goal.metric !== 'impressions') {
      const clock = clockFor(selection.clocks, campaign.schedule.timeZone, selection.nowMs);
      urgency = goalUrgency(goal.daily, options.goalProgressToday?.get(campaign.id), dayElapsedFraction(clock, selection.nowMs));
    }
    return { campaign, score, value: score * urgency };
  });
  // Unscored campaigns go last, by priority; ids break exact ties so the order is deterministic.
  rows.sort(
    (a, b) =>
      (b.value ?? -Infinity) - (a.value ?? -Infinity) ||
      b.campaign.priority - a.campaign.priority ||
      (a.campaign.id < b.campaign.id ? -1 : a.campaign.id > b.campaign.id ? 1 : 0),
  );
  return fixed(rows);
}

function checksFor(selection: BranchSelected, campaign: CompiledCampaign, pacing: PacingOptions, buckets: CapBuckets): CounterCheck[] {
  const { userId, nowMs } = selection;
  const clock = clockFor(selection.clocks, campaign.schedule.timeZone, nowMs);
  const checks: CounterCheck[] = [];
  const sup = suppressionCheck(userId, campaign);
  if (sup !== null) checks.push(sup);
  checks.push(...goalChecks(campaign, nowMs, clock, pacing));
  for (const check of frequencyCapChecks(userId, campaign, nowMs, clock, buckets)) checks.push(check);
  return checks;
}

/**
 * Phase 2 of a decision (pure): orders the selected branch's eligible campaigns and attaches the counter
 * checks each needs.
 * - designated: branch order (the designated campaign first). priority: priority desc, then creative weight
 *   sum desc, then uniformly random. model: predicted CTR; for click/conversion goals expected value =
 *   pCTR × goalUrgency (today's open goal share / day share left, in [0.5, 2]). bandit: the drawn arm's
 *   model as for model, arm 'random' a uniform shuffle. Missing scores for model/bandit → priority, with
 *   `fallback` saying why.
 * - Exploration (not for designated): with probability explorationShare one campaign with exploration budget
 *   left, uniform among the m such, is moved to the front.
 * - propensity of campaign X at position j = armProbability × [(1−s)·P_base(X at j) + (s/m)·Σ_{Y∈E} P(X at j | Y
 *   moved first)], s applied only if m > 0; P_base is uniform over X's tie group (whole list when shuffled).
 *   Exact at position 0 (what top-slot IPS evaluation uses) and everywhere for tie-free orders; at later
 *   positions of tied/shuffled orders the exploration term is conditional on the realised base order.
 * rng draws: tie keys or shuffle, then one exploration draw and one pick when m > 0.
 */
export function rankCandidates(selection: BranchSelected, scores: CandidateScores, rng: Rng, options: RankOptions = {}): Ranking {
  const { branch, arm } = selection;
  const pacing = options.pacing ?? DEFAULT_PACING;
  let order: RankOrder = 'priority';
  let fallbackReason: string | null = null;
  let modelId: string | null = null;
  let base: readonly Base[];

  const wanted = requiredModel(selection);
  const usePriority = (reason: string): readonly Base[] => {
    fallbackReason = reason;
    return priorityOrder(selection.candidates, rng);
  };
  if (branch.method === 'designated') {
    order = 'designated';
    base = fixed(selection.candidates.map((campaign) => ({ campaign, score: null, value: null })));
  } else if (branch.method === 'priority') {
    base = priorityOrder(selection.candidates, rng);
  } else if ((branch.method === 'bandit' && arm?.modelId === 'random') || (branch.method === 'model' && branch.modelId === 'random')) {
    order = 'random';
    base = shuffledOrder(selection.candidates, rng);
  } else if (wanted === null) {
    base = usePriority(branch.method === 'bandit' ? 'bandit branch has no arms' : 'model branch has no model');
  } else if (!(scores instanceof Map)) {
    base = usePriority('kind' in scores ? scores.reason : 'no scores');
  } else if (!selection.candidates.some((c) => Number.isFinite((scores as ReadonlyMap<string, number>).get(c.id)))) {
    base = usePriority(`model ${wanted} scored no candidate`);
  } else {
    order = 'model';
    modelId = wanted;
    base = modelOrder(selection, scores as ReadonlyMap<string, number>, options);
  }

  // Exploration
  const share = branch.method === 'designated' ? 0 : Math.min(1, Math.max(0, options.explorationShare ?? 0));
  const explorable = share > 0 ? base.filter((b) => (options.explorationRemaining?.get(b.campaign.id) ?? 0) > 0) : [];
  const m = explorable.length;
  let explored: Base | null = null;
  if (m > 0 && rng.next() < share) explored = explorable[Math.min(m - 1, Math.floor(rng.next() * m))];
  const finalOrder = explored === null ? base : [explored, ...base.filter((b) => b !== explored)];

  const armProb = arm?.probability ?? 1;
  const basePos = m === 0 ? null : new Map(base.map((b, i) => [b, i] as const));
  const baseAt = (x: Base, j: number): number => (j >= x.groupStart && j < x.groupStart + x.groupSize ? 1 / x.groupSize : 0);
  const propensityAt = (x: Base, j: number): number => {
    if (m === 0) return baseAt(x, j);
    const bx = basePos!.get(x) as number;
    let p = (1 - share) * baseAt(x, j);
    for (const y of explorable) {
      if (x === y) {
        if (j === 0) p += share / m;
        continue;
      }
      // Conditional on the realised base order: moving y ahead shifts x down by one if x was before y.
      const pos = bx < (basePos!.get(y) as number) ? bx + 1 : bx;
      if (pos === j) p += (share / m) / x.groupSize;
    }
    return p;
  };

  const buckets = new CapBuckets(selection.userId, selection.nowMs);
  const adLoadZone = selection.adLoadTimeZone;
  const adLoad = adLoadCheck(selection.userId, selection.slot, selection.nowMs, adLoadZone, clockFor(selection.clocks, adLoadZone, selection.nowMs), buckets);
  const ranked = finalOrder.map((b, j): RankedCandidate => {
    const checks = checksFor(selection, b.campaign, pacing, buckets);
    if (adLoad !== null) checks.push(adLoad);
    return {
      id: b.campaign.id,
      campaign: b.campaign,
      position: j,
      score: b.score,
      value: b.value,
      propensity: armProb * propensityAt(b, j),
      isExplored: b === explored,
      checks,
    };
  });
  return {
    kind: 'ranked',
    selection,
    order,
    modelId,
    fallback: fallbackReason === null ? null : { to: 'priority', reason: fallbackReason },
    exploration: explored === null ? null : { campaignId: explored.campaign.id, probability: (share / m) * armProb },
    ranked,
    want: selection.want,
  };
}

/**
 * The plan handed to CounterStore.reserve: candidates in rank order with their checks. maxCandidates bounds
 * the script's work on long branches; campaigns cut off are explained as 'not_ranked' by finalizeDecision.
 */
export function buildReservePlan(ranking: Ranking, maxCandidates = Infinity): ReservePlan {
  const kept = ranking.ranked.length > maxCandidates ? ranking.ranked.slice(0, Math.max(ranking.want, maxCandidates)) : ranking.ranked;
  return { candidates: kept, want: ranking.want };
}
