import type { LocalClock } from '../policy/local-time';
import { expectedRequests, HOUR_MS, type TrafficForecast } from './forecast';

/**
 * even: the day's goal in proportion to the forecast eligible traffic of each hour.
 * frontloaded: the even plan run (1 + lead) times as fast until the goal is met, so it finishes early.
 * asap: no plan, no throttle (the goal counter alone stops it).
 */
export type PacingMode = 'even' | 'frontloaded' | 'asap';

/** A campaign's local day: its first instant and its length in hours (23 or 25 on DST days). */
export interface PlanDay {
  readonly startOfDayMs: number;
  readonly hours: number;
}

/** The plan day of a local clock (the campaign's zone). */
export function planDayOf(clock: LocalClock): PlanDay {
  return { startOfDayMs: clock.startOfDayMs, hours: Math.max(1, Math.round((clock.endOfDayMs - clock.startOfDayMs) / HOUR_MS)) };
}

/**
 * The local days from the one of `first` up to (not including) the day that starts at or after `endMs`, each from
 * clockAt(start of day) — clockAt injects the time zone (e.g. ms => localClock(ms, zone)).
 */
export function planDaysUntil(first: LocalClock, endMs: number, clockAt: (ms: number) => LocalClock): PlanDay[] {
  const days: PlanDay[] = [planDayOf(first)];
  let clock = first;
  while (clock.endOfDayMs < endMs) {
    clock = clockAt(clock.endOfDayMs);
    days.push(planDayOf(clock));
  }
  return days;
}

/** One slot's contribution to a campaign's eligible supply. */
export interface SupplySource {
  readonly forecast: TrafficForecast;
  /** The campaign's eligible share of this slot's traffic (eligibleShareOf), in [0, 1]. */
  readonly share: number;
  /** Hour-of-week bucket of an instant in the forecast's time zone (e.g. ms => hourOfWeek(localClock(ms, zone))). */
  readonly bucketAt: (ms: number) => number;
}

/**
 * Forecast requests of each hour h of a local day (length day.hours) the campaign can get:
 * w_h = available(t_h) · Σ_sources share · expectedRequests(forecast, bucketAt(t_h + 30 min)), t_h = start + h hours.
 * `available` is 0 where the campaign may not serve (day-parting) and otherwise the share of its eligible requests it
 * really gets (availabilityAt of its AvailabilityProfile at the local hour of t_h); 1 by default. Units: requests per
 * hour (shape units before the forecast has a level — plans only use ratios).
 */
export function hourlyEligibleForecast(day: PlanDay, sources: readonly SupplySource[], available: (hourStartMs: number) => number = () => 1): number[] {
  const weights: number[] = [];
  for (let h = 0; h < day.hours; h++) {
    const startMs = day.startOfDayMs + h * HOUR_MS;
    const a = available(startMs);
    let w = 0;
    if (a > 0) for (const s of sources) w += s.share * expectedRequests(s.forecast, s.bucketAt(startMs + HOUR_MS / 2));
    weights.push(a * w);
  }
  return weights;
}

export interface PlanOptions {
  /** frontloaded runs (1 + frontLeadFraction) × the even plan's rate until the goal is met (0.25 → done after 80 % of the supply). */
  readonly frontLeadFraction: number;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { frontLeadFraction: 0.25 };

export interface PlanInput {
  /** Units to deliver this local day: the daily goal, or the flight's share for today (todaysFlightGoal). */
  readonly goal: number;
  /** Units delivered so far today (the daily goal counter). */
  readonly delivered: number;
  readonly mode: PacingMode;
  readonly day: PlanDay;
  /** hourlyEligibleForecast of the day (length day.hours). */
  readonly weights: readonly number[];
  readonly nowMs: number;
}

/**
 * A campaign's plan for the rest of its local day, made at `madeAtHour` (hours since the day's start) when
 * `deliveredAtStart` units were done. planned[h] = units planned in hour h (0 before madeAtHour); Σ planned =
 * goal − deliveredAtStart. kind: 'planned'; 'goal_reached' (nothing left, planned all 0); 'no_supply' (units left
 * but no forecast eligible traffic in the rest of the day, planned all 0).
 */
export interface DayPlan {
  readonly kind: 'planned' | 'goal_reached' | 'no_supply';
  readonly mode: PacingMode;
  readonly day: PlanDay;
  readonly goal: number;
  readonly deliveredAtStart: number;
  readonly madeAtHour: number;
  readonly weights: readonly number[];
  readonly planned: readonly number[];
}

/** Hours since the day's start at nowMs, clamped to [0, day.hours]. */
export function hourPosition(day: PlanDay, nowMs: number): number {
  return Math.min(day.hours, Math.max(0, (nowMs - day.startOfDayMs) / HOUR_MS));
}

/** The part of hour h that lies at or after position x, in [0, 1]. */
function partAfter(h: number, x: number): number {
  return Math.min(1, Math.max(0, h + 1 - x));
}

/**
 * Plans the rest of the day from the counters; deterministic in (input, options), so every API node that reads the
 * same counters and forecast at the same minute gets the same plan. With R = goal − delivered left and
 * w'_h = w_h · (part of hour h still ahead), W = Σ w':
 * - even: planned_h = R · w'_h / W.
 * - frontloaded: cumulative C(x) = R · min(1, (1 + lead) · W(x) / W) with W(x) the remaining weight before x;
 *   planned_h = C(h + 1) − C(h).
 * - asap: all R in the current hour.
 */
export function planDay(input: PlanInput, options: PlanOptions = DEFAULT_PLAN_OPTIONS): DayPlan {
  const { day, weights, mode } = input;
  const at = hourPosition(day, input.nowMs);
  const remaining = Math.max(0, input.goal - input.delivered);
  const planned = new Array<number>(day.hours).fill(0);
  const base = { mode, day, goal: input.goal, deliveredAtStart: Math.min(input.delivered, input.goal), madeAtHour: at, weights: weights.slice() };
  if (remaining === 0) return { kind: 'goal_reached', ...base, planned };
  const ahead = weights.map((w, h) => w * partAfter(h, at));
  const total = ahead.reduce((a, b) => a + b, 0);
  if (mode === 'asap') {
    planned[Math.min(day.hours - 1, Math.floor(at))] = remaining;
    return { kind: 'planned', ...base, planned };
  }
  if (!(total > 0)) return { kind: 'no_supply', ...base, planned };
  const lead = mode === 'frontloaded' ? 1 + options.frontLeadFraction : 1;
  let before = 0;
  let cumulative = 0;
  for (let h = 0; h < day.hours; h++) {
    before += ahead[h];
    const next = remaining * Math.min(1, (lead * before) / total);
    planned[h] = next - cumulative;
    cumulative = next;
  }
  return { kind: 'planned', ...base, planned };
}

/**
 * Units the plan expects done by nowMs: deliveredAtStart + the planned units of the hours before, plus the current
 * hour's planned units in proportion to the part of it elapsed since the plan was made (linear within an hour).
 * asap: the whole goal at once. Non-decreasing in nowMs; reaches deliveredAtStart + Σ planned at the day's end.
 */
export function plannedBy(plan: DayPlan, nowMs: number): number {
  if (plan.mode === 'asap') return plan.goal;
  const x = Math.max(plan.madeAtHour, hourPosition(plan.day, nowMs));
  let sum = plan.deliveredAtStart;
  const whole = Math.floor(x);
  for (let h = 0; h < whole && h < plan.planned.length; h++) sum += plan.planned[h];
  if (whole < plan.planned.length) {
    const from = Math.max(whole, plan.madeAtHour);
    const span = whole + 1 - from;
    if (span > 0) sum += (plan.planned[whole] * (x - from)) / span;
  }
  return sum;
}

/** Forecast eligible requests of the plan's day between fromMs and toMs (weights integrated, linear within an hour). */
export function forecastBetween(plan: DayPlan, fromMs: number, toMs: number): number {
  const a = hourPosition(plan.day, fromMs);
  const b = hourPosition(plan.day, toMs);
  let sum = 0;
  for (let h = Math.floor(a); h < b && h < plan.weights.length; h++) sum += plan.weights[h] * (Math.min(b, h + 1) - Math.max(a, h));
  return sum;
}

export interface FlightSplitInput {
  /** The flight's total goal, in units. */
  readonly totalGoal: number;
  /** Units delivered in the flight so far, today included (the total goal counter). */
  readonly deliveredInFlight: number;
  /** Units delivered today (the daily goal counter). */
  readonly deliveredToday: number;
  /**
   * Forecast eligible requests of today (whole, or the flight's part of it) and of each later day of the flight,
   * today first (Σ of hourlyEligibleForecast per planDaysUntil day).
   */
  readonly dayWeights: readonly number[];
}

/**
 * Today's goal of a total goal over a flight: what was left when the day started, split over the remaining days in
 * proportion to their forecast eligible traffic. goal = round(L · w_0 / Σ w), L = totalGoal − (deliveredInFlight −
 * deliveredToday); the last day gets all of L. Depends only on counters and forecast, not on when in the day it is
 * computed, so every node computes the same number all day.
 */
export function todaysFlightGoal(input: FlightSplitInput): number {
  const left = Math.max(0, input.totalGoal - Math.max(0, input.deliveredInFlight - input.deliveredToday));
  if (input.dayWeights.length <= 1) return left;
  const total = input.dayWeights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return Math.round(left / input.dayWeights.length);
  return Math.min(left, Math.round((left * input.dayWeights[0]) / total));
}
