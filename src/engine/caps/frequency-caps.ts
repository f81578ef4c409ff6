import type { LocalClock } from '../policy/local-time';
import type { CapWindow, CompiledCampaign, Slot } from '../policy/snapshot';
import type { CounterCheck } from './counter-store';

const DAY_S = 86_400;
/** Lifetime counters of campaigns without an end date are kept this long. */
export const OPEN_ENDED_LIFETIME_TTL_S = 400 * DAY_S;
/** The conversion-suppression flag outlives any realistic campaign. */
export const SUPPRESSION_TTL_S = 400 * DAY_S;

export interface CapBucket {
  /** Bucket id inside the key: m<epochMinute>, h<epochHour>, d<YYYY-MM-DD>, w<YYYY-Www>, or l. */
  readonly tag: string;
  /** Time to the end of the bucket plus slack, so a counter never outlives its window by much nor dies early. */
  readonly ttlS: number;
}

/**
 * Calendar bucket of a cap window at nowMs. Minute and hour buckets are epoch-aligned (zone-free);
 * day and week buckets follow the local date of `clock` (ISO weeks, Monday first), so they roll over
 * at local midnight, including 23/25-hour DST days. Lifetime lasts until endAtMs + 1 day.
 * Caps are fixed windows ("at most N per local day"), not sliding ones.
 */
export function capBucket(window: CapWindow, nowMs: number, clock: LocalClock, endAtMs: number | null): CapBucket {
  switch (window) {
    case 'minute': {
      const m = Math.floor(nowMs / 60_000);
      return { tag: `m${m}`, ttlS: Math.ceil(((m + 1) * 60_000 - nowMs) / 1000) + 60 };
    }
    case 'hour': {
      const h = Math.floor(nowMs / 3_600_000);
      return { tag: `h${h}`, ttlS: Math.ceil(((h + 1) * 3_600_000 - nowMs) / 1000) + 60 };
    }
    case 'day':
      return { tag: `d${clock.dateKey}`, ttlS: Math.ceil((clock.endOfDayMs - nowMs) / 1000) + 3600 };
    case 'week':
      return { tag: `w${clock.isoWeekKey}`, ttlS: Math.ceil((clock.endOfDayMs - nowMs) / 1000) + (6 - clock.weekday) * DAY_S + 7200 };
    case 'lifetime':
      return { tag: 'l', ttlS: endAtMs === null ? OPEN_ENDED_LIFETIME_TTL_S : Math.max(DAY_S, Math.ceil((endAtMs - nowMs) / 1000) + DAY_S) };
  }
}

/** Per listener per campaign: `fc:{u:<userId>}:<campaignId>:<bucket>`. */
export function frequencyCapKey(userId: string, campaignId: string, bucketTag: string): string {
  return `fc:{u:${userId}}:${campaignId}:${bucketTag}`;
}

/** Per listener per slot, across the slot's ads: `al:{u:<userId>}:<slotId>:<bucket>`. */
export function adLoadKey(userId: string, slotId: string, bucketTag: string): string {
  return `al:{u:${userId}}:${slotId}:${bucketTag}`;
}

/** Set by the feedback worker (store.set(key, SUPPRESSION_TTL_S)) when the listener converts on the campaign. */
export function suppressionKey(userId: string, campaignId: string): string {
  return `sup:{u:${userId}}:${campaignId}`;
}

/**
 * Explored impressions of a campaign, `explore:{c:<campaignId>}`: the feedback worker increments it for
 * impressions whose decision logged isExplored; explorationRemaining = explorationBudget − this count.
 */
export function explorationCounterKey(campaignId: string): string {
  return `explore:{c:${campaignId}}`;
}

/**
 * `reserve` checks of a campaign's frequency caps for one listener (reason 'cap'); several caps on one
 * window were collapsed to the tightest at compile time.
 * clock must be the campaign's local clock at nowMs.
 */
export function frequencyCapChecks(userId: string, campaign: CompiledCampaign, nowMs: number, clock: LocalClock): CounterCheck[] {
  return campaign.tightestCaps.map((cap) => {
    const b = capBucket(cap.window, nowMs, clock, campaign.endAtMs);
    return { key: frequencyCapKey(userId, campaign.id, b.tag), limit: cap.impressions, op: 'reserve', ttlS: b.ttlS, reason: 'cap' };
  });
}

/** The slot's ad-load `reserve` check (reason 'ad_load_cap'), shared by all candidates of the slot; null if uncapped. */
export function adLoadCheck(userId: string, slot: Slot, nowMs: number, clock: LocalClock): CounterCheck | null {
  if (slot.adLoadCap === null) return null;
  const b = capBucket(slot.adLoadCap.window, nowMs, clock, null);
  return { key: adLoadKey(userId, slot.id, b.tag), limit: slot.adLoadCap.impressions, op: 'reserve', ttlS: b.ttlS, reason: 'ad_load_cap' };
}

/** `absent` check on the suppression flag when the campaign suppresses after conversion; null otherwise. */
export function suppressionCheck(userId: string, campaign: CompiledCampaign): CounterCheck | null {
  if (!campaign.suppressOnConversion) return null;
  return { key: suppressionKey(userId, campaign.id), limit: 0, op: 'absent', ttlS: SUPPRESSION_TTL_S, reason: 'suppressed' };
}
