import { isValidTimeZone } from './local-time';

export type Platform = 'ios' | 'android' | 'pc' | 'h5' | 'car' | 'speaker' | 'tv';
export type SlotFormat = 'splash' | 'banner' | 'popup' | 'audio' | 'feed';
export type CapWindow = 'minute' | 'hour' | 'day' | 'week' | 'lifetime';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type CampaignStatus = 'draft' | 'active' | 'paused' | 'ended' | 'archived';
export type CampaignCategory = 'digital_album' | 'paid_package' | 'membership' | 'partner';
export type GoalMetric = 'impressions' | 'clicks' | 'conversions';
export type DeliveryMethod = 'designated' | 'priority' | 'model' | 'bandit';

export interface FrequencyCap {
  readonly impressions: number;
  readonly window: CapWindow;
}

export interface Slot {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly format: SlotFormat;
  readonly platforms: readonly Platform[];
  readonly maxAdsPerResponse: number;
  /** Per listener, across all ads of the slot. */
  readonly adLoadCap: FrequencyCap | null;
}

/** [startHour, endHour) in the campaign's local time. */
export interface DayPart {
  readonly days: readonly Weekday[];
  readonly startHour: number;
  readonly endHour: number;
}

export interface Schedule {
  readonly startAt: string;
  readonly endAt: string | null;
  readonly timeZone: string;
  readonly dayParting: readonly DayPart[] | null;
}

export interface Goal {
  readonly metric: GoalMetric;
  readonly daily: number | null;
  readonly total: number | null;
  readonly pacing: 'even' | 'asap';
}

export interface Creative {
  readonly id: string;
  readonly campaignId: string;
  readonly type: 'image' | 'audio' | 'text';
  readonly formats: readonly SlotFormat[];
  readonly title: string;
  readonly assetUrl: string | null;
  readonly landingUrl: string;
  readonly weight: number;
}

export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly category: CampaignCategory;
  readonly status: CampaignStatus;
  readonly priority: number;
  readonly platforms: readonly Platform[];
  readonly slotIds: readonly string[];
  readonly schedule: Schedule;
  readonly frequencyCaps: readonly FrequencyCap[];
  readonly goal: Goal | null;
  /** Impressions reserved for exploration. */
  readonly explorationBudget: number;
  readonly tags: { readonly genres: readonly string[]; readonly artists: readonly string[]; readonly languages: readonly string[] };
  readonly suppressOnConversion: boolean;
  readonly creatives: readonly Creative[];
}

export type AudienceExpr =
  | 'everyone'
  | { readonly package: string }
  | { readonly and: readonly AudienceExpr[] }
  | { readonly or: readonly AudienceExpr[] }
  | { readonly not: AudienceExpr };

export interface BanditArm {
  /** A model id, or 'random' for uniform shuffling. */
  readonly modelId: string;
  /** Minimum traffic share of the arm, in [0, 1]. */
  readonly floor: number;
}

export interface Branch {
  readonly name: string;
  readonly audience: AudienceExpr;
  readonly campaignIds: readonly string[];
  readonly method: DeliveryMethod;
  readonly modelId: string | null;
  readonly arms: readonly BanditArm[] | null;
}

export interface DeliveryPolicy {
  readonly slotId: string;
  readonly branches: readonly Branch[];
}

/** A campaign with everything the hot path needs precomputed. */
export interface CompiledCampaign extends Campaign {
  readonly startAtMs: number;
  readonly endAtMs: number | null;
  /** 168 entries, index weekday(Mon=0)·24 + local hour; 1 = may serve. */
  readonly dayPartMask: Uint8Array;
  /** Sum of creative weights; the priority method's tie-breaker. */
  readonly creativeWeightSum: number;
  /** frequencyCaps with several caps on one window collapsed to the tightest, so each key is reserved once. */
  readonly tightestCaps: readonly FrequencyCap[];
}

/** Immutable, versioned view of the configuration that every decision reads. */
export interface DecisionSnapshot {
  readonly version: string;
  readonly slotsById: ReadonlyMap<string, Slot>;
  readonly slotsByKey: ReadonlyMap<string, Slot>;
  readonly campaignsById: ReadonlyMap<string, CompiledCampaign>;
  readonly policiesBySlotId: ReadonlyMap<string, DeliveryPolicy>;
  /** Zone of the day/week buckets of slot ad-load caps (slots have no zone of their own). */
  readonly adLoadTimeZone: string;
}

export interface SnapshotIssue {
  readonly path: string;
  readonly message: string;
}

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * Compiles day-parting into a 168-hour mask (index weekday·24 + hour, Monday = 0).
 * null (no day-parting) → every hour allowed. Each DayPart allows [startHour, endHour) on its days;
 * endHour ≤ startHour is treated as empty (overnight spans are written as two parts).
 */
export function compileDayParting(dayParts: readonly DayPart[] | null): Uint8Array {
  const mask = new Uint8Array(168);
  if (dayParts === null) return mask.fill(1);
  for (const part of dayParts) {
    const start = Math.max(0, Math.floor(part.startHour));
    const end = Math.min(24, Math.floor(part.endHour));
    for (const day of part.days) {
      const d = WEEKDAYS.indexOf(day);
      if (d < 0) continue;
      for (let h = start; h < end; h++) mask[d * 24 + h] = 1;
    }
  }
  return mask;
}

/** Several caps on one window → one cap with the smallest limit, in first-seen window order. */
export function tightestCapsPerWindow(caps: readonly FrequencyCap[]): FrequencyCap[] {
  const byWindow = new Map<CapWindow, number>();
  for (const cap of caps) byWindow.set(cap.window, Math.min(byWindow.get(cap.window) ?? Infinity, cap.impressions));
  return [...byWindow].map(([window, impressions]) => ({ window, impressions }));
}

/** Precomputes epoch bounds, the day-part mask, the creative weight sum and the tightest caps of one campaign. */
export function compileCampaign(campaign: Campaign): CompiledCampaign {
  // shape-ok: once per campaign per snapshot, and spelling the fields out would drop any field added to Campaign later.
  return {
    ...campaign,
    startAtMs: Date.parse(campaign.schedule.startAt),
    endAtMs: campaign.schedule.endAt === null ? null : Date.parse(campaign.schedule.endAt),
    dayPartMask: compileDayParting(campaign.schedule.dayParting),
    creativeWeightSum: campaign.creatives.reduce((s, c) => s + c.weight, 0),
    tightestCaps: tightestCapsPerWindow(campaign.frequencyCaps),
  };
}

/**
 * Builds the indexed snapshot from plain rows. Campaigns whose schedule cannot be evaluated
 * (bad dates, unknown time zone) are left out and reported, so the hot path never throws on them.
 */
export function buildDecisionSnapshot(input: {
  readonly version: string;
  readonly slots: readonly Slot[];
  readonly campaigns: readonly Campaign[];
  readonly policies: readonly DeliveryPolicy[];
  readonly adLoadTimeZone?: string;
}): { snapshot: DecisionSnapshot; issues: SnapshotIssue[] } {
  const issues: SnapshotIssue[] = [];
  const slotsById = new Map<string, Slot>();
  const slotsByKey = new Map<string, Slot>();
  for (const slot of input.slots) {
    slotsById.set(slot.id, slot);
    slotsByKey.set(slot.key, slot);
  }
  const campaignsById = new Map<string, CompiledCampaign>();
  input.campaigns.forEach((campaign, i) => {
    const compiled = compileCampaign(campaign);
    if (!isValidTimeZone(campaign.schedule.timeZone)) {
      issues.push({ path: `$.campaigns[${i}].schedule.timeZone`, message: `unknown time zone ${campaign.schedule.timeZone}` });
    } else if (!Number.isFinite(compiled.startAtMs) || (compiled.endAtMs !== null && !Number.isFinite(compiled.endAtMs))) {
      issues.push({ path: `$.campaigns[${i}].schedule`, message: 'startAt/endAt is not a valid ISO date' });
    } else {
      campaignsById.set(campaign.id, compiled);
    }
  });
  const policiesBySlotId = new Map<string, DeliveryPolicy>();
  for (const policy of input.policies) policiesBySlotId.set(policy.slotId, policy);
  const adLoadTimeZone = input.adLoadTimeZone ?? 'UTC';
  if (!isValidTimeZone(adLoadTimeZone)) issues.push({ path: '$.adLoadTimeZone', message: `unknown time zone ${adLoadTimeZone}` });
  return {
    snapshot: {
      version: input.version,
      slotsById,
      slotsByKey,
      campaignsById,
      policiesBySlotId,
      adLoadTimeZone: isValidTimeZone(adLoadTimeZone) ? adLoadTimeZone : 'UTC',
    },
    issues,
  };
}
