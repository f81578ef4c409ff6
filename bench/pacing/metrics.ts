import { attributeShortfall, type ShortfallCause } from '../../src/engine/pacing/throttle';
import type { CampaignDay, SimResult } from './simulate';
import { SHOCKS } from './world';

/** The definitions, over one run. */
export interface PacingMetrics {
  /** p95 of |delivered − goal| ÷ goal over feasible campaign-days (eligible supply ≥ 1.25 × goal). */
  readonly dailyErrorP95: number;
  /** p95 of ½ Σ_h |delivered_h/delivered − plan_h/plan| over even campaign-days (plan as made at the day's start). */
  readonly hourlyTvP95: number;
  /** max of (delivered − goal) ÷ goal over every campaign-day with a daily goal and every flight. */
  readonly overshootMax: number;
  /** dailyErrorP95 on the two shock days only. */
  readonly shockDailyErrorP95: number;
  /** p95 of max(0, goal − delivered) ÷ goal over feasible campaign-days. */
  readonly underdeliveryFeasibleP95: number;
  readonly feasibleDays: number;
  readonly evenDays: number;
  /** Feasible campaign-days more than 2 % short, by attributed cause. */
  readonly shortByCause: Readonly<Record<ShortfallCause, number>>;
}

export const FEASIBLE_SUPPLY_RATIO = 1.25;

/** Nearest-rank percentile (0 for an empty list). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** A campaign-day with a daily goal (a flight under the allowance has none) and eligible supply ≥ 1.25 × that goal. */
export function isFeasible(d: CampaignDay): boolean {
  return d.hardGoal && d.goal > 0 && d.eligible >= FEASIBLE_SUPPLY_RATIO * d.goal;
}

/** ½ Σ_h |a_h/Σa − b_h/Σb| over the hours both series have. */
export function totalVariation(actual: readonly number[], plan: readonly number[]): number {
  const a = actual.reduce((x, y) => x + y, 0);
  const b = plan.reduce((x, y) => x + y, 0);
  if (!(a > 0) || !(b > 0)) return 0;
  let sum = 0;
  for (let h = 0; h < Math.max(actual.length, plan.length); h++) sum += Math.abs((actual[h] ?? 0) / a - (plan[h] ?? 0) / b);
  return sum / 2;
}

export function measure(result: SimResult): PacingMetrics {
  const feasible = result.days.filter(isFeasible);
  const error = (d: CampaignDay) => Math.abs(d.delivered - d.goal) / d.goal;
  const even = result.days.filter((d) => d.campaign.mode === 'even' && d.delivered > 0);
  const overshoots = [...result.days.filter((d) => d.goal > 0 && d.hardGoal), ...result.flights].map((d) => (d.delivered - d.goal) / d.goal);
  const shortByCause: Record<ShortfallCause, number> = { eligible_traffic: 0, higher_priority: 0, frequency_cap: 0, throttle: 0 };
  for (const d of feasible) {
    const s = attributeShortfall(d, 0.02);
    if (s.kind === 'short') shortByCause[s.cause]++;
  }
  return {
    dailyErrorP95: percentile(feasible.map(error), 0.95),
    hourlyTvP95: percentile(
      even.map((d) => totalVariation(d.deliveredByHour, d.plannedByHour)),
      0.95,
    ),
    overshootMax: Math.max(...overshoots),
    shockDailyErrorP95: percentile(feasible.filter((d) => SHOCKS.has(d.day)).map(error), 0.95),
    underdeliveryFeasibleP95: percentile(
      feasible.map((d) => Math.max(0, d.goal - d.delivered) / d.goal),
      0.95,
    ),
    feasibleDays: feasible.length,
    evenDays: even.length,
    shortByCause,
  };
}

/** The metrics as `key=value` pairs in the bench's line order. */
export function metricsLine(m: PacingMetrics): string {
  return [
    `daily_error_p95=${m.dailyErrorP95.toFixed(4)}`,
    `hourly_tv_p95=${m.hourlyTvP95.toFixed(4)}`,
    `overshoot_max=${m.overshootMax.toFixed(4)}`,
    `shock_daily_error_p95=${m.shockDailyErrorP95.toFixed(4)}`,
    `underdelivery_feasible_p95=${m.underdeliveryFeasibleP95.toFixed(4)}`,
  ].join(' ');
}
