import { normal, type Rng } from '../../src/engine/util/rng';
import type { PacingMode } from '../../src/engine/pacing/plan';

/**
 * The simulated world of bench:pacing: one slot in Asia/Shanghai whose traffic follows a daily and weekly curve
 * (evening peak ≈ 4× the night trough, weekend mornings later), ±20 % noise per hour, one day at 2× and one at
 * 0.5× traffic; a listener population with skewed activity (so per-listener caps bind on heavy listeners); and
 * twenty campaigns on two audience axes (overlapping intervals), with priorities, goals, modes and caps.
 * The true curve is a sum of bumps, not the engine's default curve, so the forecast has to learn it.
 */

export const ZONE = 'Asia/Shanghai';
/** Local midnight of Monday 2026-11-30 in Asia/Shanghai (UTC+8). */
export const START_MS = Date.UTC(2026, 10, 29, 16);
export const DAYS = 14;
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
export const MEAN_REQUESTS_PER_DAY = 300_000;
export const LISTENERS = 100_000;
/** Day index (0 = the first simulated day) → traffic multiplier the forecast does not know. */
export const SHOCKS: ReadonlyMap<number, number> = new Map([
  [8, 2],
  [10, 0.5],
]);

function bump(hour: number, at: number, width: number): number {
  const d = Math.min(Math.abs(hour - at), 24 - Math.abs(hour - at));
  return Math.exp(-(d * d) / (2 * width * width));
}

const DAY_VOLUME = [1, 1, 1, 1, 1.05, 1.12, 1.08];

/** Relative request rate at a local weekday (Mon = 0) and fractional hour; trough ≈ 1 at 04:00–05:00, weekday peak ≈ 4 at 22:00. */
function shapeAt(weekday: number, hour: number): number {
  const weekend = weekday >= 5;
  const v = weekend
    ? 1 + 1.8 * bump(hour, 14, 3.5) + 3 * bump(hour, 20.8, 2.2)
    : 1 + 1.6 * bump(hour, 7.8, 1) + bump(hour, 14, 4) + 3 * bump(hour, 22, 2);
  return v * DAY_VOLUME[weekday];
}

/** Mean of shapeAt over a week, by minutes: scales the curve to MEAN_REQUESTS_PER_DAY. */
const SHAPE_MEAN = (() => {
  let sum = 0;
  for (let d = 0; d < 7; d++) for (let m = 0; m < 1440; m++) sum += shapeAt(d, m / 60);
  return sum / (7 * 1440);
})();

/** Share of a mean week's requests that fall in local hours [from, to). */
export function servingShare(hours: readonly [number, number] | null): number {
  if (hours === null) return 1;
  let inside = 0;
  let all = 0;
  for (let d = 0; d < 7; d++)
    for (let m = 0; m < 1440; m++) {
      const v = shapeAt(d, m / 60);
      all += v;
      if (m >= hours[0] * 60 && m < hours[1] * 60) inside += v;
    }
  return inside / all;
}

/** Per-minute request rates of the whole run (Float64Array of DAYS·1440), hourly noise and shocks included. */
export function minuteRates(rng: Rng): Float64Array {
  const rates = new Float64Array(DAYS * 1440);
  for (let day = 0; day < DAYS; day++) {
    const weekday = day % 7; // START_MS is a Monday
    const shock = SHOCKS.get(day) ?? 1;
    for (let hour = 0; hour < 24; hour++) {
      const noise = 1 + 0.2 * (2 * rng.next() - 1);
      for (let m = 0; m < 60; m++) {
        const rate = (MEAN_REQUESTS_PER_DAY / 1440) * (shapeAt(weekday, hour + (m + 0.5) / 60) / SHAPE_MEAN) * noise * shock;
        rates[day * 1440 + hour * 60 + m] = rate;
      }
    }
  }
  return rates;
}

/** Poisson draw: inversion for small means, a rounded normal above 30. */
export function poisson(rng: Rng, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

export interface Listeners {
  /** Bit c set = eligible for campaign c. */
  readonly eligibleBits: Uint32Array;
  /** Walker alias table over activity weights: draw a listener in O(1). */
  readonly aliasProb: Float64Array;
  readonly alias: Int32Array;
  /** Per campaign: Σ activity of its audience ÷ Σ activity, the share of requests it is eligible for. */
  readonly trafficShare: readonly number[];
}

export interface SimCampaign {
  readonly id: string;
  readonly priority: number;
  readonly mode: PacingMode;
  /** Audience: listeners whose latent position on `axis` lies in [from, from + share) on the unit circle. */
  readonly axis: 0 | 1;
  readonly from: number;
  readonly share: number;
  /** Daily goal as a fraction of the audience's mean daily requests; for a flight, per flight day. */
  readonly goalOfEligible: number;
  /** Impressions per listener per local day, or null. */
  readonly dailyCap: number | null;
  /** Local hours [from, to) the campaign may serve, or null for all day. */
  readonly hours: readonly [number, number] | null;
  /** A total goal over days [first, last] instead of daily goals. */
  readonly flight: { readonly firstDay: number; readonly lastDay: number } | null;
}

// Priorities high → low. The upper fourteen ask for 3–20 % of audiences of 10–70 % of the traffic, on two
// independent axes, so they overlap each other and everything below; the lower six ask for 50 % of their
// audiences, which tile one axis (they do not compete with each other) and lose to the upper ones what those take.
// The lower six cannot be met on the 0.5× day (0.5 < 1.25 · 0.5): infeasible there, as the definition says.
const C = (id: string, priority: number, mode: PacingMode, axis: 0 | 1, from: number, share: number, goalOfEligible: number, dailyCap: number | null = null, extra: Partial<SimCampaign> = {}): SimCampaign => ({
  id,
  priority,
  mode,
  axis,
  from,
  share,
  goalOfEligible,
  dailyCap,
  hours: null,
  flight: null,
  ...extra,
});

export const CAMPAIGNS: readonly SimCampaign[] = [
  C('c01', 100, 'even', 0, 0.0, 0.12, 0.2),
  C('c02', 95, 'asap', 1, 0.1, 0.3, 0.06),
  C('c03', 90, 'even', 0, 0.05, 0.4, 0.06, 2),
  C('c04', 85, 'frontloaded', 1, 0.5, 0.25, 0.1),
  C('c05', 80, 'even', 0, 0.3, 0.15, 0.15, null, { hours: [7, 24] }),
  C('c06', 75, 'even', 1, 0.0, 0.6, 0.03, 3),
  C('c07', 70, 'frontloaded', 0, 0.45, 0.35, 0.06),
  C('c08', 65, 'even', 1, 0.7, 0.2, 0.1),
  C('c09', 60, 'asap', 0, 0.6, 0.5, 0.03, 2),
  C('c10', 55, 'even', 1, 0.3, 0.45, 0.05, null, { flight: { firstDay: 2, lastDay: 11 } }),
  C('c11', 50, 'even', 0, 0.8, 0.3, 0.07, 3),
  C('c12', 45, 'even', 1, 0.85, 0.1, 0.15),
  C('c13', 40, 'frontloaded', 0, 0.15, 0.55, 0.03),
  C('c14', 35, 'even', 1, 0.2, 0.8, 0.03),
  C('c15', 30, 'even', 0, 0.0, 0.15, 0.5),
  C('c16', 25, 'asap', 0, 0.15, 0.2, 0.5),
  C('c17', 20, 'even', 0, 0.35, 0.15, 0.5),
  C('c18', 15, 'frontloaded', 0, 0.5, 0.2, 0.5, 5),
  C('c19', 10, 'even', 0, 0.7, 0.15, 0.5),
  C('c20', 5, 'even', 0, 0.85, 0.15, 0.5),
];

function inAudience(c: SimCampaign, position: number): boolean {
  return (((position - c.from) % 1) + 1) % 1 < c.share;
}

/** Listeners with lognormal activity (σ = 1.1: the top 1 % listen ≈ 13× the median) and two latent audience positions. */
export function makeListeners(rng: Rng, campaigns: readonly SimCampaign[]): Listeners {
  const weights = new Float64Array(LISTENERS);
  const eligibleBits = new Uint32Array(LISTENERS);
  const audienceWeight = new Array<number>(campaigns.length).fill(0);
  let totalWeight = 0;
  for (let i = 0; i < LISTENERS; i++) {
    weights[i] = Math.exp(1.1 * normal(rng));
    totalWeight += weights[i];
    const pos = [rng.next(), rng.next()];
    let bits = 0;
    campaigns.forEach((c, k) => {
      if (!inAudience(c, pos[c.axis])) return;
      bits |= 1 << k;
      audienceWeight[k] += weights[i];
    });
    eligibleBits[i] = bits >>> 0;
  }
  return { eligibleBits, ...aliasTable(weights), trafficShare: audienceWeight.map((w) => w / totalWeight) };
}

/** Walker's alias method (Vose's construction). */
function aliasTable(weights: Float64Array): { aliasProb: Float64Array; alias: Int32Array } {
  const n = weights.length;
  const total = weights.reduce((a, b) => a + b, 0);
  const scaled = Float64Array.from(weights, (w) => (w * n) / total);
  const aliasProb = new Float64Array(n);
  const alias = new Int32Array(n);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large.pop()!;
    aliasProb[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  for (const i of [...small, ...large]) aliasProb[i] = 1;
  return { aliasProb, alias };
}

export function drawListener(rng: Rng, listeners: Listeners): number {
  const i = Math.floor(rng.next() * listeners.aliasProb.length);
  return rng.next() < listeners.aliasProb[i] ? i : listeners.alias[i];
}
