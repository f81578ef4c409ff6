import type { Rng } from '../util/rng';
import { HOUR_MS } from './forecast';
import { forecastBetween, plannedBy, type DayPlan } from './plan';

export interface ThrottleParams {
  /** How often the probability is recomputed (the re-plan period), ms; each step sets it for the next tickMs. */
  readonly tickMs: number;
  /** Horizon over which a deviation from the target is worked off, ms (the PI terms are per correctionMs). */
  readonly correctionMs: number;
  /** Proportional gain on the deviation (dimensionless: 1 = the whole deviation over one correctionMs). */
  readonly kp: number;
  /** Integral gain: the integral grows by ki · deviation per correctionMs elapsed. */
  readonly ki: number;
  /** Anti-windup bound: |integral| ≤ integralLimitFraction · today's goal, in units. */
  readonly integralLimitFraction: number;
  /** Half-life of the smoothed supply counts, ms: how fast the supply estimate follows traffic, competition and caps. */
  readonly supplyHalfLifeMs: number;
  /** The target runs this far ahead of the plan in time (never past the goal), so the day ends done rather than catching up, ms. */
  readonly leadMs: number;
}

export const DEFAULT_THROTTLE_PARAMS: ThrottleParams = {
  tickMs: 60_000,
  correctionMs: 20 * 60_000,
  kp: 1,
  ki: 0.1,
  integralLimitFraction: 0.05,
  supplyHalfLifeMs: 20 * 60_000,
  leadMs: 10 * 60_000,
};

/** A campaign's counters for its current local day, cumulative since the day's start (shared, e.g. Redis or the decision log). */
export interface ThrottleCounters {
  /** Units delivered today: the daily goal counter. */
  readonly delivered: number;
  /** Decisions in which the campaign was eligible, no higher-ranked candidate was served, and the throttle was asked. */
  readonly offered: number;
  /** Offered decisions the throttle let through. */
  readonly accepted: number;
  /** Accepted decisions a frequency cap then refused. */
  readonly capped: number;
}

export const ZERO_COUNTERS: ThrottleCounters = { delivered: 0, offered: 0, accepted: 0, capped: 0 };

/**
 * The controller's memory between steps (plain JSON). One writer per campaign (the worker's minute tick) steps it
 * and publishes `probability`; API nodes only read the probability.
 */
export interface ThrottleState {
  readonly startOfDayMs: number;
  readonly atMs: number;
  /** The counters at atMs, to take differences from. */
  readonly counters: ThrottleCounters;
  /** Exponentially decayed sums of offered, accepted and capped decisions and of forecast eligible requests. */
  readonly offeredSum: number;
  readonly acceptedSum: number;
  readonly cappedSum: number;
  readonly forecastSum: number;
  /** Requests the campaign can really serve per forecast eligible request (traffic level, competition, caps). */
  readonly supplyRatio: number;
  /** Target − delivered at atMs, units (positive = behind). */
  readonly deviation: number;
  /** PI integral, units. */
  readonly integral: number;
  /** Probability of serving when offered, until the next step. */
  readonly probability: number;
}

export interface ThrottleInput {
  readonly nowMs: number;
  /** Today's plan as made at the start of the day (or when the campaign first ran today): the reference. */
  readonly plan: DayPlan;
  readonly counters: ThrottleCounters;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** The controller's target at nowMs: plannedBy(plan, nowMs + leadMs) (≤ the goal: plans end at the day's end), units. */
export function throttleTarget(plan: DayPlan, nowMs: number, params: ThrottleParams = DEFAULT_THROTTLE_PARAMS): number {
  return plannedBy(plan, nowMs + params.leadMs);
}

/**
 * One controller step at nowMs. Deterministic in (previous, input, params).
 * Supply: the decayed sums (decay 2^(−Δt/half-life)) give the capped share c = capped/(accepted + 1) and the
 * supply ratio κ = offered·(1 − c)/forecast (kept from before while no eligible traffic is forecast; 1 at first).
 * Deviation e = target(now) − delivered. Integral I += ki·e·Δt/correctionMs, frozen while the last probability sat at
 * 1 with e > 0 or at 0 with e < 0 (anti-windup) and clamped to ±integralLimitFraction·goal; reset each day.
 * Next interval [now, now + tickMs): want = target(now + tick) − target(now) + (kp·e + I)·tickMs/horizon, horizon =
 * correctionMs or what is left of the day if less (never below tickMs),
 * supply = κ·forecastBetween(now, now + tick), probability = clamp(want/supply, 0, 1) (no supply: 1 if want > 0).
 * asap: always 1; goal reached: 0.
 */
export function stepThrottle(previous: ThrottleState | null, input: ThrottleInput, params: ThrottleParams = DEFAULT_THROTTLE_PARAMS): ThrottleState {
  const { plan, counters, nowMs } = input;
  const dayStart = plan.day.startOfDayMs;
  const sameDay = previous !== null && previous.startOfDayMs === dayStart;
  const last = sameDay ? previous.counters : ZERO_COUNTERS;
  const fromMs = previous === null ? nowMs : Math.max(previous.atMs, dayStart);
  const dtMs = Math.max(0, nowMs - fromMs);
  const decay = previous === null ? 0 : Math.pow(0.5, Math.max(0, nowMs - previous.atMs) / params.supplyHalfLifeMs);
  const offeredSum = (previous?.offeredSum ?? 0) * decay + Math.max(0, counters.offered - last.offered);
  const acceptedSum = (previous?.acceptedSum ?? 0) * decay + Math.max(0, counters.accepted - last.accepted);
  const cappedSum = (previous?.cappedSum ?? 0) * decay + Math.max(0, counters.capped - last.capped);
  const forecastSum = (previous?.forecastSum ?? 0) * decay + forecastBetween(plan, fromMs, nowMs);
  const cappedShare = Math.min(1, cappedSum / (acceptedSum + 1));
  const supplyRatio = forecastSum > 1e-9 ? (offeredSum * (1 - cappedShare)) / forecastSum : (previous?.supplyRatio ?? 1);

  const target = throttleTarget(plan, nowMs, params);
  const deviation = target - counters.delivered;
  const lastP = sameDay ? previous.probability : 0.5;
  const frozen = (lastP >= 1 && deviation > 0) || (lastP <= 0 && deviation < 0);
  const limit = params.integralLimitFraction * plan.goal;
  const integral = clamp((sameDay ? previous.integral : 0) + (frozen ? 0 : (params.ki * deviation * dtMs) / params.correctionMs), -limit, limit);

  let probability: number;
  if (plan.mode === 'asap') probability = 1;
  else if (counters.delivered >= plan.goal || plan.kind === 'goal_reached') probability = 0;
  else {
    const next = nowMs + params.tickMs;
    // Near the day's end the deviation is worked off over what is left of the day, not over a horizon past midnight.
    const horizonMs = Math.max(params.tickMs, Math.min(params.correctionMs, plan.day.startOfDayMs + plan.day.hours * HOUR_MS - nowMs));
    const want = throttleTarget(plan, next, params) - target + ((params.kp * deviation + integral) * params.tickMs) / horizonMs;
    const supply = supplyRatio * forecastBetween(plan, nowMs, next);
    probability = supply > 0 ? clamp(want / supply, 0, 1) : want > 0 ? 1 : 0;
  }
  const seen: ThrottleCounters = { delivered: counters.delivered, offered: counters.offered, accepted: counters.accepted, capped: counters.capped };
  return { startOfDayMs: dayStart, atMs: nowMs, counters: seen, offeredSum, acceptedSum, cappedSum, forecastSum, supplyRatio, deviation, integral, probability };
}

/** One decision's throttle draw: serve when rng < probability (one rng draw, so replays are exact). */
export function throttlePasses(probability: number, rng: Rng): boolean {
  return rng.next() < probability;
}

/** What a campaign-day's decisions did with its eligible requests; all counts over the same local day. */
export interface ShortfallCounts {
  /** Units to deliver that day. */
  readonly goal: number;
  readonly delivered: number;
  /** Decisions in which the campaign was eligible (audience, platform, day-parting). */
  readonly eligible: number;
  /** Eligible decisions served by a higher-ranked campaign before the campaign was asked. */
  readonly lostToHigher: number;
  /** Decisions the throttle held back. */
  readonly throttled: number;
  /** Decisions the throttle let through that a frequency cap refused. */
  readonly capped: number;
}

export type ShortfallCause = 'eligible_traffic' | 'higher_priority' | 'frequency_cap' | 'throttle';

export type Shortfall =
  | { readonly kind: 'met' }
  | { readonly kind: 'short'; readonly cause: ShortfallCause; readonly missing: number; readonly missingFraction: number };

/**
 * Why a campaign-day under-delivered: the first bound below the goal, from the widest in.
 * eligible < goal → 'eligible_traffic'; eligible − lostToHigher < goal → 'higher_priority';
 * that times (1 − capped/accepted), accepted = eligible − lostToHigher − throttled, < goal → 'frequency_cap';
 * else the supply was there and the throttle held it back → 'throttle'. 'met' when missing ≤ toleranceFraction·goal.
 */
export function attributeShortfall(c: ShortfallCounts, toleranceFraction = 0): Shortfall {
  const missing = c.goal - c.delivered;
  if (c.goal <= 0 || missing <= toleranceFraction * c.goal) return { kind: 'met' };
  const reached = c.eligible - c.lostToHigher;
  const accepted = reached - c.throttled;
  const uncapped = reached * (1 - (accepted > 0 ? Math.min(1, c.capped / accepted) : 0));
  const cause: ShortfallCause = c.eligible < c.goal ? 'eligible_traffic' : reached < c.goal ? 'higher_priority' : uncapped < c.goal ? 'frequency_cap' : 'throttle';
  return { kind: 'short', cause, missing, missingFraction: missing / c.goal };
}
