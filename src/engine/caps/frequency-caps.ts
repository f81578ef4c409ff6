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

/**
 * A listener's frequency and ad-load counters of one minute, hour, local day or ISO week bucket:
 * the hash `fc:{u:<userId>}:<bucket>`, with a field per campaign (its id) and per slot (`al:<slotId>`).
 */
export function capHashKey(userId: string, bucketTag: string): string {
  return `fc:{u:${userId}}:${bucketTag}`;
}

/** Field of a slot's ad-load counter in a listener's bucket hash. */
export function adLoadField(slotId: string): string {
  return `al:${slotId}`;
}

/**
 * Lifetime counters stay one key each, `fc:{u:<userId>}:<campaignId>:l` (`al:` and the slot id for
 * ad-load): a lifetime hash would live as long as the longest campaign in it and keep every ended one.
 */
export function lifetimeCapKey(userId: string, campaignId: string): string {
  return `fc:{u:${userId}}:${campaignId}:l`;
}

export function lifetimeAdLoadKey(userId: string, slotId: string): string {
  return `al:{u:${userId}}:${slotId}:l`;
}

/**
 * One decision's bucket hashes: every candidate of a decision counts in the same few hashes of the
 * listener, so their keys and TTLs are built once per decision rather than once per check.
 */
export class CapBuckets {
  private readonly byZone = new Map<string, ({ key: string; ttlS: number } | undefined)[]>();

  constructor(
    private readonly userId: string,
    private readonly nowMs: number,
  ) {}

  /** Hash key and TTL of a window's bucket; clock must be the zone's local clock at nowMs. */
  hash(window: Exclude<CapWindow, 'lifetime'>, timeZone: string, clock: LocalClock): { key: string; ttlS: number } {
    let slots = this.byZone.get(timeZone);
    if (slots === undefined) {
      slots = new Array(BUCKETED_WINDOWS.length);
      this.byZone.set(timeZone, slots);
    }
    const i = BUCKETED_WINDOWS.indexOf(window);
    let hit = slots[i];
    if (hit === undefined) {
      const b = capBucket(window, this.nowMs, clock, null);
      hit = { key: capHashKey(this.userId, b.tag), ttlS: b.ttlS };
      slots[i] = hit;
    }
    return hit;
  }
}

const BUCKETED_WINDOWS = ['minute', 'hour', 'day', 'week'] as const;

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
 * window were collapsed to the tightest at compile time. clock must be the campaign's local clock at
 * nowMs; `buckets` shares bucket hashes between the candidates of one decision.
 */
export function frequencyCapChecks(userId: string, campaign: CompiledCampaign, nowMs: number, clock: LocalClock, buckets = new CapBuckets(userId, nowMs)): CounterCheck[] {
  return campaign.tightestCaps.map((cap): CounterCheck => {
    if (cap.window === 'lifetime') {
      const b = capBucket('lifetime', nowMs, clock, campaign.endAtMs);
      return { key: lifetimeCapKey(userId, campaign.id), limit: cap.impressions, op: 'reserve', ttlS: b.ttlS, reason: 'cap' };
    }
    const h = buckets.hash(cap.window, campaign.schedule.timeZone, clock);
    return { key: h.key, field: campaign.id, limit: cap.impressions, op: 'reserve', ttlS: h.ttlS, reason: 'cap' };
  });
}

/** The slot's ad-load `reserve` check (reason 'ad_load_cap'), shared by all candidates of the slot; null if uncapped. clock is in timeZone. */
export function adLoadCheck(userId: string, slot: Slot, nowMs: number, timeZone: string, clock: LocalClock, buckets = new CapBuckets(userId, nowMs)): CounterCheck | null {
  if (slot.adLoadCap === null) return null;
  const { impressions, window } = slot.adLoadCap;
  if (window === 'lifetime') {
    const b = capBucket('lifetime', nowMs, clock, null);
    return { key: lifetimeAdLoadKey(userId, slot.id), limit: impressions, op: 'reserve', ttlS: b.ttlS, reason: 'ad_load_cap' };
  }
  const h = buckets.hash(window, timeZone, clock);
  return { key: h.key, field: adLoadField(slot.id), limit: impressions, op: 'reserve', ttlS: h.ttlS, reason: 'ad_load_cap' };
}

/** `absent` check on the suppression flag when the campaign suppresses after conversion; null otherwise. */
export function suppressionCheck(userId: string, campaign: CompiledCampaign): CounterCheck | null {
  if (!campaign.suppressOnConversion) return null;
  return { key: suppressionKey(userId, campaign.id), limit: 0, op: 'absent', ttlS: SUPPRESSION_TTL_S, reason: 'suppressed' };
}
