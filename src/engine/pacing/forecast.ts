import type { LocalClock } from '../policy/local-time';

/** Buckets of a weekly traffic curve: weekday (Mon = 0) · 24 + local hour, the index of CompiledCampaign.dayPartMask. */
export const HOURS_PER_WEEK = 168;
/** One hour in ms: the forecast's and the plans' unit of time. */
export const HOUR_MS = 3_600_000;

/** Hour-of-week bucket of a local clock: weekday (Mon = 0) · 24 + hour, in [0, 168). */
export function hourOfWeek(clock: LocalClock): number {
  return clock.weekday * 24 + clock.hour;
}

// Relative request volume per local hour (00–23) of a music app: a trough at 04:00, a morning commute,
// lunch, and the evening peak about 4× the trough. Weekend mornings start later and the days run longer.
const WEEKDAY_HOURS = [1.9, 1.4, 1.1, 0.95, 0.9, 1.0, 1.5, 2.4, 2.9, 2.5, 2.3, 2.4, 2.8, 2.6, 2.3, 2.3, 2.5, 2.9, 3.1, 3.3, 3.6, 3.7, 3.3, 2.6];
const WEEKEND_HOURS = [2.3, 1.8, 1.4, 1.1, 0.95, 0.9, 1.0, 1.3, 1.8, 2.4, 2.9, 3.1, 3.2, 3.2, 3.2, 3.1, 3.1, 3.1, 3.2, 3.4, 3.7, 3.8, 3.5, 2.9];
/** Whole-day volume by weekday (Mon … Sun): Friday night and the weekend listen a little more. */
const WEEKDAY_VOLUME = [1, 1, 1, 1, 1.05, 1.1, 1.05];

/**
 * The curve a slot without history starts from: 168 multiplicative factors with mean 1 (bucket = hourOfWeek).
 * A realistic shape, not this slot's: the forecast replaces it as hours are observed.
 */
export function defaultWeeklyShape(): number[] {
  const raw: number[] = [];
  for (let day = 0; day < 7; day++) {
    const hours = day >= 5 ? WEEKEND_HOURS : WEEKDAY_HOURS;
    for (let h = 0; h < 24; h++) raw.push(hours[h] * WEEKDAY_VOLUME[day]);
  }
  return normalizedToMeanOne(raw);
}

function normalizedToMeanOne(values: readonly number[]): number[] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.map((v) => v / mean);
}

/**
 * A slot's traffic forecast: expected requests in hour-of-week bucket b = levelPerHour · season[b]. Hourly counts
 * are collected per local day; when the day's last hour (23:00) is observed, the day is folded in: its total moves
 * the level, its own hourly distribution moves the season of its weekday (and, less, of the other days of its group,
 * Mon–Fri or Sat–Sun). Learning the shape from each day's distribution keeps a whole-day shock (2× or 0.5× traffic) a
 * level change: it does not bend next week's shape. Plain JSON (the service stores it as is).
 */
export interface TrafficForecast {
  /** Deseasonalised requests per hour; null until the first observed hour (expected counts are then in shape units). */
  readonly levelPerHour: number | null;
  /** 168 factors, mean 1, indexed by hourOfWeek. */
  readonly season: readonly number[];
  /** Hours and whole days observed so far. */
  readonly observedHours: number;
  readonly observedDays: number;
  /** The local day being observed: its key (LocalClock.dateKey) and the counts of its buckets so far. */
  readonly day: { readonly key: string; readonly buckets: readonly number[]; readonly counts: readonly number[] } | null;
}

export interface ForecastOptions {
  /** Level smoothing per folded day (0–1). */
  readonly levelAlpha: number;
  /** Season smoothing of the folded day's own buckets (0–1). */
  readonly seasonAlpha: number;
  /** Season smoothing of the same hours on the other days of its group: one Tuesday teaches every weekday a little. */
  readonly siblingAlpha: number;
  /** An hour's share of its day, relative to the forecast's, is clipped to [1/ratioClip, ratioClip] (an outage hour does not wreck the shape). */
  readonly ratioClip: number;
  /** Smoothing of a weekday's volume (the sum of its 24 factors) per folded day of that weekday (0–1). */
  readonly dayAlpha: number;
  /** A day's volume against the level is clipped to [1/dayClip, dayClip] for dayAlpha: a 2× day barely moves its weekday. */
  readonly dayClip: number;
}

export const DEFAULT_FORECAST_OPTIONS: ForecastOptions = { levelAlpha: 0.3, seasonAlpha: 0.3, siblingAlpha: 0.15, ratioClip: 2, dayAlpha: 0.2, dayClip: 1.25 };

/** A forecast with no history: the given (default) shape, no level. */
export function newTrafficForecast(shape: readonly number[] = defaultWeeklyShape()): TrafficForecast {
  return { levelPerHour: null, season: normalizedToMeanOne(shape), observedHours: 0, observedDays: 0, day: null };
}

/**
 * Expected requests in bucket `bucket` (hourOfWeek): levelPerHour · season[bucket]. Before the first observation
 * the level is unknown and this returns season[bucket] (shape units); plans and throttles only use ratios of it.
 */
export function expectedRequests(forecast: TrafficForecast, bucket: number): number {
  const s = forecast.season[bucket];
  return forecast.levelPerHour === null ? s : forecast.levelPerHour * s;
}

function sameGroup(a: number, b: number): boolean {
  return (a >= 5) === (b >= 5);
}

/** Σ counts ÷ Σ season over a day's observed buckets: the level that day showed. */
function dayLevel(season: readonly number[], buckets: readonly number[], counts: readonly number[]): number {
  let weight = 0;
  for (const b of buckets) weight += season[b];
  const total = counts.reduce((a, c) => a + c, 0);
  return weight > 0 ? total / weight : 0;
}

/**
 * Learns one observed hour: `count` requests in bucket `bucket` of the local day `dayKey` (LocalClock.dateKey of
 * the slot's zone). Returns a new forecast. A bucket seen twice in a day (the repeated hour of a 25-hour day) adds up.
 * Until the first day is folded, the level is the day so far: Σ counts / Σ season of its buckets. Observing 23:00 folds
 * the day (closeDay); so does an hour of another day arriving first.
 */
export function observeHour(forecast: TrafficForecast, bucket: number, count: number, dayKey: string, options: ForecastOptions = DEFAULT_FORECAST_OPTIONS): TrafficForecast {
  let f = forecast.day !== null && forecast.day.key !== dayKey ? closeDay(forecast, options) : forecast;
  const buckets = f.day?.buckets.slice() ?? [];
  const counts = f.day?.counts.slice() ?? [];
  const at = buckets.indexOf(bucket);
  if (at >= 0) counts[at] += count;
  else {
    buckets.push(bucket);
    counts.push(count);
  }
  const level = f.observedDays === 0 ? dayLevel(f.season, buckets, counts) : f.levelPerHour;
  f = Object.assign({}, f, { levelPerHour: level, observedHours: f.observedHours + 1, day: { key: dayKey, buckets, counts } });
  return bucket % 24 === 23 ? closeDay(f, options) : f;
}

/**
 * Folds the day being observed (a no-op without one). With T = Σ counts and W = Σ season over its buckets:
 * level' = α·T/W + (1 − α)·level (the first day: T/W); the weekday's 24 factors ×(1 + δ·(clip(T/W/level) − 1))
 * (from the second day: the weekday's volume against the others); for each bucket b, r = clip((count_b/T) / (season[b]/W)),
 * season[b] ← season[b]·(1 + γ·(r − 1)) and the same hour on the group's other days with the sibling γ; then the
 * season is rescaled to mean 1 and the level by the inverse factor, so only the learnt buckets' expectations move.
 */
export function closeDay(forecast: TrafficForecast, options: ForecastOptions = DEFAULT_FORECAST_OPTIONS): TrafficForecast {
  const day = forecast.day;
  if (day === null) return forecast;
  const observed = dayLevel(forecast.season, day.buckets, day.counts);
  if (!(observed > 0)) return Object.assign({}, forecast, { day: null });
  const level = forecast.observedDays === 0 || forecast.levelPerHour === null ? observed : options.levelAlpha * observed + (1 - options.levelAlpha) * forecast.levelPerHour;
  const season = forecast.season.slice();
  if (forecast.observedDays > 0 && forecast.levelPerHour !== null && forecast.levelPerHour > 0) {
    const volume = Math.min(options.dayClip, Math.max(1 / options.dayClip, observed / forecast.levelPerHour));
    const weekday = Math.floor(day.buckets[0] / 24);
    for (let h = 0; h < 24; h++) season[weekday * 24 + h] *= 1 + options.dayAlpha * (volume - 1);
  }
  day.buckets.forEach((bucket, i) => {
    const ratio = Math.min(options.ratioClip, Math.max(1 / options.ratioClip, day.counts[i] / (observed * forecast.season[bucket])));
    const weekday = Math.floor(bucket / 24);
    for (let d = 0; d < 7; d++) {
      const alpha = d === weekday ? options.seasonAlpha : sameGroup(d, weekday) ? options.siblingAlpha : 0;
      season[d * 24 + (bucket % 24)] *= 1 + alpha * (ratio - 1);
    }
  });
  const mean = season.reduce((a, v) => a + v, 0) / HOURS_PER_WEEK;
  for (let b = 0; b < HOURS_PER_WEEK; b++) season[b] /= mean;
  return { levelPerHour: level * mean, season, observedHours: forecast.observedHours, observedDays: forecast.observedDays + 1, day: null };
}

/**
 * A campaign's eligible share of a slot's traffic (its audience, platform and day-parting share), as exponentially
 * smoothed counts: share = eligible / total. Smoothing the two counts rather than their ratio weighs busy hours by
 * their traffic. Observe only hours in which the campaign may serve (its day-parting is applied by the plan).
 */
export interface EligibleShare {
  readonly eligible: number;
  readonly total: number;
}

export const NO_ELIGIBLE_SHARE: EligibleShare = { eligible: 0, total: 0 };

/** Smooths one observation: each count ← (1 − α)·count + α·observed. α per observed hour, in (0, 1]. */
export function observeEligibleShare(share: EligibleShare, eligibleCount: number, totalCount: number, alpha = 0.1): EligibleShare {
  return { eligible: (1 - alpha) * share.eligible + alpha * eligibleCount, total: (1 - alpha) * share.total + alpha * totalCount };
}

/** eligible / total in [0, 1]; `prior` (e.g. the audience's estimated share) until some traffic was observed. */
export function eligibleShareOf(share: EligibleShare, prior = 1): number {
  return share.total > 0 ? Math.min(1, share.eligible / share.total) : prior;
}

/**
 * The share of a campaign's eligible requests it really gets, by local hour of the day (0–23): eligible requests
 * neither served by a higher-ranked campaign nor refused by its frequency caps. Higher-priority campaigns (an asap one
 * sweeping the first hours of each day) and caps (binding on heavy listeners late in the day) make it vary by hour;
 * plans weighted by it are ones the campaign can follow. Smoothed counts per hour, like EligibleShare.
 */
export interface AvailabilityProfile {
  /** 24 smoothed counts of available requests, by local hour. */
  readonly available: readonly number[];
  /** 24 smoothed counts of eligible requests, by local hour. */
  readonly eligible: readonly number[];
}

/** A profile with nothing observed: availabilityAt gives the prior for every hour. */
export function newAvailabilityProfile(): AvailabilityProfile {
  return { available: new Array<number>(24).fill(0), eligible: new Array<number>(24).fill(0) };
}

/** One local hour of one campaign: its eligible requests, those served by a higher-ranked campaign first, and its caps' refusals. */
export interface AvailabilityObservation {
  readonly hour: number;
  readonly eligible: number;
  readonly lostToHigher: number;
  /** Throttle-accepted requests, and of those the ones a frequency cap refused (their ratio estimates the capped share). */
  readonly accepted: number;
  readonly capped: number;
}

/**
 * Smooths one observed hour: available = (eligible − lostToHigher) · (1 − capped/accepted), both counts ←
 * (1 − α)·count + α·observed in bucket `hour`. α per observed day of that hour. An hour without eligible requests
 * teaches nothing and is skipped.
 */
export function observeAvailability(profile: AvailabilityProfile, o: AvailabilityObservation, alpha = 0.2): AvailabilityProfile {
  if (!(o.eligible > 0)) return profile;
  const cappedShare = o.accepted > 0 ? Math.min(1, o.capped / o.accepted) : 0;
  const available = Math.max(0, o.eligible - o.lostToHigher) * (1 - cappedShare);
  const next = (counts: readonly number[], x: number) => counts.map((c, h) => (h === o.hour ? (1 - alpha) * c + alpha * x : c));
  return { available: next(profile.available, available), eligible: next(profile.eligible, o.eligible) };
}

/** available / eligible of a local hour, in [0, 1]; `prior` (1: all of it) before that hour was observed. */
export function availabilityAt(profile: AvailabilityProfile, hour: number, prior = 1): number {
  const e = profile.eligible[hour];
  return e > 0 ? Math.min(1, profile.available[hour] / e) : prior;
}
