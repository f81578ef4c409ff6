/** Counter columns of a live stats row. */
export const STAT_METRICS = ['requests', 'eligible', 'served', 'impressions', 'clicks', 'conversions', 'skips'] as const;
export type StatMetric = (typeof STAT_METRICS)[number];

/** Dimensions of one live stats row; '' means "not applicable" (e.g. a request row has no campaign). */
export interface StatDims {
  readonly minuteMs: number;
  readonly campaignId: string;
  readonly creativeId: string;
  readonly slotId: string;
  readonly branch: string;
  readonly arm: string;
  readonly platform: string;
}

export type StatCounts = Record<StatMetric, number>;

export interface StatRow extends StatDims {
  readonly counts: StatCounts;
}

export const MINUTE_MS = 60_000;

/** Start of the UTC minute containing tMs (epoch ms). */
export function minuteOf(tMs: number): number {
  return Math.floor(tMs / MINUTE_MS) * MINUTE_MS;
}

function zeroCounts(): StatCounts {
  return { requests: 0, eligible: 0, served: 0, impressions: 0, clicks: 0, conversions: 0, skips: 0 };
}

function keyOf(d: StatDims): string {
  // \u0001 never appears in ids, branch names or platforms, so the key is unambiguous.
  return `${d.minuteMs}\u0001${d.campaignId}\u0001${d.creativeId}\u0001${d.slotId}\u0001${d.branch}\u0001${d.arm}\u0001${d.platform}`;
}

/**
 * Sums counter deltas per (minute, dimensions) in memory, so thousands of decisions or events become
 * one row each per flush. Rows come out sorted by key: writers that upsert in the same order never
 * deadlock on each other's row locks.
 */
export class StatsAccumulator {
  private rows = new Map<string, { dims: StatDims; counts: StatCounts }>();
  /**
   * `eligible` counts not yet spread over their campaign rows: per requests row, how many decisions
   * saw each list of eligible campaigns. Decisions of one slot and branch share one list object
   * (BranchSelected.candidateIds), so a decision costs one count here instead of one row per campaign.
   */
  private eligibleLists = new Map<string, { common: Omit<StatDims, 'campaignId' | 'creativeId'>; tail: string; lists: Map<readonly string[], number> }>();

  get size(): number {
    return this.rows.size + this.eligibleLists.size;
  }

  add(dims: StatDims, metric: StatMetric, by = 1): void {
    this.addKeyed(keyOf(dims), metric, dims, dims.campaignId, dims.creativeId, by);
  }

  /**
   * add() with a key the caller built as keyOf would for `common` + campaignId + creativeId;
   * the row's dims object is only built when the row is new.
   */
  addKeyed(key: string, metric: StatMetric, common: Omit<StatDims, 'campaignId' | 'creativeId'>, campaignId: string, creativeId: string, by = 1): void {
    let row = this.rows.get(key);
    if (!row) {
      const { minuteMs, slotId, branch, arm, platform } = common;
      row = { dims: { minuteMs, campaignId, creativeId, slotId, branch, arm, platform }, counts: zeroCounts() };
      this.rows.set(key, row);
    }
    row.counts[metric] += by;
  }

  /**
   * One decision's `eligible` counts: +1 on the row of each campaign in campaignIds. `requestsKey` is
   * the decision's requests row and `tail` the part of keyOf after the creative, both as addDecision builds them.
   */
  addEligible(requestsKey: string, tail: string, common: Omit<StatDims, 'campaignId' | 'creativeId'>, campaignIds: readonly string[]): void {
    let entry = this.eligibleLists.get(requestsKey);
    if (entry === undefined) {
      entry = { common, tail, lists: new Map() };
      this.eligibleLists.set(requestsKey, entry);
    }
    entry.lists.set(campaignIds, (entry.lists.get(campaignIds) ?? 0) + 1);
  }

  /** Adds every count of another accumulator's rows (used to put back a batch whose flush failed). */
  addRows(rows: readonly StatRow[]): void {
    for (const row of rows) {
      for (const metric of STAT_METRICS) if (row.counts[metric] !== 0) this.add(row, metric, row.counts[metric]);
    }
  }

  /** Takes every accumulated row, sorted by key, and empties the accumulator. */
  drain(): StatRow[] {
    for (const { common, tail, lists } of this.eligibleLists.values()) {
      for (const [campaignIds, decisions] of lists) {
        for (const campaignId of campaignIds) this.addKeyed(`${common.minuteMs}\u0001${campaignId}\u0001${tail}`, 'eligible', common, campaignId, '', decisions);
      }
    }
    this.eligibleLists = new Map();
    const entries = [...this.rows.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.rows = new Map();
    return entries.map(([, r]) => ({ ...r.dims, counts: r.counts }));
  }
}

/** What the decision path reports per decision (see LiveStatsRecorder.recordDecision). */
export interface DecisionStatsInput {
  readonly nowMs: number;
  readonly slotId: string;
  /** Branch that answered; null when no branch matched (nothing served). */
  readonly branch: string | null;
  readonly arm: string | null;
  readonly platform: string;
  readonly servedCampaignIds: readonly { readonly campaignId: string; readonly creativeId: string }[];
  /** Campaigns that passed eligibility (schedule, platform, slot, audience) for this request, when known. */
  readonly eligibleCampaignIds?: readonly string[];
}

/**
 * Adds one decision to the accumulator: one `requests` on the (slot, branch, arm, platform) row with no
 * campaign, one `eligible` per eligible campaign and one `served` per served ad on its campaign/creative row.
 */
export function addDecision(acc: StatsAccumulator, input: DecisionStatsInput): void {
  // Runs on every decision: the shared part of the key is built once, and a row's dims only when
  // the row is new (keys exactly as keyOf builds them; the spec checks they merge with add()).
  const common = { minuteMs: minuteOf(input.nowMs), slotId: input.slotId, branch: input.branch ?? '', arm: input.arm ?? '', platform: input.platform };
  const tail = `\u0001${common.slotId}\u0001${common.branch}\u0001${common.arm}\u0001${common.platform}`;
  const requestsKey = `${common.minuteMs}\u0001\u0001${tail}`;
  acc.addKeyed(requestsKey, 'requests', common, '', '');
  if (input.eligibleCampaignIds !== undefined && input.eligibleCampaignIds.length > 0) acc.addEligible(requestsKey, tail, common, input.eligibleCampaignIds);
  for (const { campaignId, creativeId } of input.servedCampaignIds) acc.addKeyed(`${common.minuteMs}\u0001${campaignId}\u0001${creativeId}${tail}`, 'served', common, campaignId, creativeId);
}
