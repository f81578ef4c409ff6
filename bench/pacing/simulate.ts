import { availabilityAt, eligibleShareOf, expectedRequests, hourOfWeek, newAvailabilityProfile, newTrafficForecast, NO_ELIGIBLE_SHARE, observeAvailability, observeEligibleShare, observeHour, type AvailabilityProfile, type EligibleShare, type TrafficForecast } from '../../src/engine/pacing/forecast';
import { evenPacingAllowance } from '../../src/engine/pacing/pacing';
import { hourlyEligibleForecast, planDay, planDayOf, planDaysUntil, todaysFlightGoal, type DayPlan, type PlanDay, type SupplySource } from '../../src/engine/pacing/plan';
import { DEFAULT_THROTTLE_PARAMS, stepThrottle, type ThrottleParams, type ThrottleState } from '../../src/engine/pacing/throttle';
import { localClock, type LocalClock } from '../../src/engine/policy/local-time';
import { createRng } from '../../src/engine/util/rng';
import { totalVariation } from './metrics';
import { CAMPAIGNS, DAY_MS, DAYS, drawListener, LISTENERS, MEAN_REQUESTS_PER_DAY, MINUTE_MS, poisson, START_MS, ZONE, type Listeners, type SimCampaign } from './world';

/** planned: forecast → plan → probabilistic throttle. allowance: the linear evenPacingAllowance, switched on and off. */
export type Policy = 'planned' | 'allowance';

/** What one campaign did on one local day. */
export interface CampaignDay {
  readonly campaign: SimCampaign;
  readonly day: number;
  /** The day's goal (daily goal, or the flight's share of the day as split at the day's start). */
  goal: number;
  /** False for a flight's days under the allowance: no daily counter, goal = the flight's total ÷ its days. */
  hardGoal: boolean;
  delivered: number;
  eligible: number;
  lostToHigher: number;
  offered: number;
  accepted: number;
  throttled: number;
  capped: number;
  readonly deliveredByHour: number[];
  /** The plan for the day as made at its start, units per hour (allowance: goal/24 an hour, its straight line). */
  plannedByHour: number[];
  /** Throttle probability at the start of each hour (allowance: null). */
  readonly probabilityByHour: (number | null)[];
}

export interface FlightResult {
  readonly campaign: SimCampaign;
  readonly goal: number;
  readonly delivered: number;
}

export interface SimResult {
  readonly days: CampaignDay[];
  readonly flights: FlightResult[];
  /** Σ daily goals ÷ requests, per day. */
  readonly demandOverSupply: number[];
  /** Per day: ½ Σ_h |forecast share of hour h − realised share| of the slot's requests, the forecast as of the day's start (planned only). */
  readonly forecastShapeTv: number[];
}

const clockAt = (ms: number): LocalClock => localClock(ms, ZONE);
const bucketAt = (ms: number): number => hourOfWeek(clockAt(ms));

function servesAt(c: SimCampaign, hour: number): boolean {
  return c.hours === null || (hour >= c.hours[0] && hour < c.hours[1]);
}

/** A campaign's daily goal: goalOfEligible × its audience's share of the mean day's requests in its serving hours. */
function dailyGoal(c: SimCampaign, world: SimWorld, k: number): number {
  return Math.round(c.goalOfEligible * world.listeners.trafficShare[k] * MEAN_REQUESTS_PER_DAY * world.servingShare[k]);
}

export interface SimWorld {
  readonly rates: Float64Array;
  readonly listeners: Listeners;
  /** Share of the mean day's requests in each campaign's serving hours. */
  readonly servingShare: readonly number[];
}

/**
 * Runs the 14 days under one policy. Requests arrive per minute (Poisson around the minute's rate), each from a
 * listener drawn by activity; campaigns are walked in priority order as a decision's reserve walks its plan: a
 * campaign past its goal is skipped, the throttle (planned) or the allowance (allowance) may hold it back, an
 * accepted campaign may be refused by its per-listener daily cap, else it is served and the walk stops (later
 * eligible campaigns count the request as lost to a higher priority). planned: at each local midnight every campaign's
 * day plan is made from what was learnt so far (the reference for the day), and every minute of virtual time each
 * throttle steps from the campaign's counters (the next minute's share of the plan plus the deviation worked off);
 * every hour the slot forecast learns the hour's request count and each campaign its eligible share and
 * availability. The forecast starts from the default curve on day 1 (no pre-warming).
 */
export function simulate(policy: Policy, world: SimWorld, seed: number, params: ThrottleParams = DEFAULT_THROTTLE_PARAMS): SimResult {
  const { rates, listeners } = world;
  const rng = createRng(seed);
  const throttleRng = createRng(seed ^ 0x5eed);
  const n = CAMPAIGNS.length;
  const order = CAMPAIGNS.map((_, k) => k).sort((a, b) => CAMPAIGNS[b].priority - CAMPAIGNS[a].priority);
  const goals = CAMPAIGNS.map((c, k) => dailyGoal(c, world, k));
  const flightTotals = CAMPAIGNS.map((c, k) => (c.flight === null ? 0 : goals[k] * (c.flight.lastDay - c.flight.firstDay + 1)));
  const flightDelivered = new Array<number>(n).fill(0);
  const capCounts = new Uint8Array(LISTENERS * n);
  let forecast: TrafficForecast = newTrafficForecast();
  const shares: EligibleShare[] = CAMPAIGNS.map(() => NO_ELIGIBLE_SHARE);
  const availability: AvailabilityProfile[] = CAMPAIGNS.map(() => newAvailabilityProfile());
  const states: (ThrottleState | null)[] = CAMPAIGNS.map(() => null);
  const days: CampaignDay[] = [];
  const demandOverSupply: number[] = [];
  const forecastShapeTv: number[] = [];

  for (let day = 0; day < DAYS; day++) {
    const dayStart = START_MS + day * DAY_MS;
    const clock = clockAt(dayStart);
    const pday = planDayOf(clock);
    capCounts.fill(0);
    const active = CAMPAIGNS.map((c) => c.flight === null || (day >= c.flight.firstDay && day <= c.flight.lastDay));
    const today: (CampaignDay | null)[] = CAMPAIGNS.map((c, k) => {
      if (!active[k]) return null;
      return { campaign: c, day, goal: 0, hardGoal: !(c.flight !== null && policy === 'allowance'), delivered: 0, eligible: 0, lostToHigher: 0, offered: 0, accepted: 0, throttled: 0, capped: 0, deliveredByHour: new Array(24).fill(0), plannedByHour: [], probabilityByHour: [] };
    });
    const plans: (DayPlan | null)[] = CAMPAIGNS.map(() => null);
    const limits = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) {
      const cd = today[k];
      if (cd === null) continue;
      const c = CAMPAIGNS[k];
      const source: SupplySource = { forecast, share: eligibleShareOf(shares[k]), bucketAt };
      const available = (ms: number) => {
        const hour = clockAt(ms).hour;
        return servesAt(c, hour) ? availabilityAt(availability[k], hour) : 0;
      };
      if (c.flight !== null && policy === 'planned') {
        const flightDays = planDaysUntil(clock, START_MS + (c.flight.lastDay + 1) * DAY_MS, clockAt);
        const dayWeights = flightDays.map((d: PlanDay) => hourlyEligibleForecast(d, [source], available).reduce((a, b) => a + b, 0));
        cd.goal = todaysFlightGoal({ totalGoal: flightTotals[k], deliveredInFlight: flightDelivered[k], deliveredToday: 0, dayWeights });
      } else cd.goal = goals[k];
      // The hard limits: the daily goal counter (a flight under the allowance has none) and a flight's total counter.
      limits[k] = c.flight !== null && policy === 'allowance' ? Infinity : cd.goal;
      if (policy === 'planned') {
        const plan = planDay({ goal: cd.goal, delivered: 0, mode: c.mode, day: pday, weights: hourlyEligibleForecast(pday, [source], available), nowMs: dayStart });
        plans[k] = plan;
        cd.plannedByHour = plan.planned.slice();
      } else cd.plannedByHour = new Array(24).fill(cd.goal / 24);
    }
    demandOverSupply.push(today.reduce((a, cd) => a + (cd?.goal ?? 0), 0));

    const probability = new Float64Array(n);
    const forecastByHour = Array.from({ length: 24 }, (_, hour) => expectedRequests(forecast, bucketAt(dayStart + hour * 3_600_000)));
    const requestsByHour: number[] = [];
    let dayRequests = 0;
    for (let hour = 0; hour < 24; hour++) {
      const hourEligible = new Array<number>(n).fill(0);
      const hourStart = today.map((cd) => (cd === null ? null : { lostToHigher: cd.lostToHigher, accepted: cd.accepted, capped: cd.capped }));
      let hourRequests = 0;
      const open = CAMPAIGNS.map((c, k) => active[k] && servesAt(c, hour));
      for (let minute = 0; minute < 60; minute++) {
        const nowMs = dayStart + (hour * 60 + minute) * MINUTE_MS;
        if (policy === 'planned') {
          for (let k = 0; k < n; k++) {
            const cd = today[k];
            if (cd === null) continue;
            const state = stepThrottle(states[k], { nowMs, plan: plans[k]!, counters: cd }, params);
            states[k] = state;
            probability[k] = state.probability;
            if (minute === 0) cd.probabilityByHour.push(state.probability);
          }
        }
        const count = poisson(rng, rates[day * 1440 + hour * 60 + minute]);
        hourRequests += count;
        for (let r = 0; r < count; r++) {
          const listener = drawListener(rng, listeners);
          const bits = listeners.eligibleBits[listener];
          const fraction = (hour * 60 + minute + (r + 0.5) / count) / 1440;
          let served = false;
          for (const k of order) {
            if ((bits & (1 << k)) === 0 || !open[k]) continue;
            const cd = today[k]!;
            cd.eligible++;
            hourEligible[k]++;
            if (served) {
              cd.lostToHigher++;
              continue;
            }
            const c = CAMPAIGNS[k];
            if (cd.delivered >= limits[k] || (c.flight !== null && flightDelivered[k] >= flightTotals[k])) continue;
            cd.offered++;
            const pass = policy === 'planned' ? throttleRng.next() < probability[k] : allowancePasses(c, cd, flightDelivered[k], flightTotals[k], day, fraction);
            if (!pass) {
              cd.throttled++;
              continue;
            }
            cd.accepted++;
            const cap = c.dailyCap;
            if (cap !== null && capCounts[listener * n + k] >= cap) {
              cd.capped++;
              continue;
            }
            capCounts[listener * n + k]++;
            cd.delivered++;
            cd.deliveredByHour[hour]++;
            flightDelivered[k]++;
            served = true;
          }
        }
      }
      dayRequests += hourRequests;
      requestsByHour.push(hourRequests);
      if (policy === 'planned') {
        forecast = observeHour(forecast, bucketAt(dayStart + hour * 3_600_000), hourRequests, clock.dateKey);
        for (let k = 0; k < n; k++) {
          if (!open[k]) continue;
          const cd = today[k]!;
          const before = hourStart[k]!;
          shares[k] = observeEligibleShare(shares[k], hourEligible[k], hourRequests);
          availability[k] = observeAvailability(availability[k], {
            hour,
            eligible: hourEligible[k],
            lostToHigher: cd.lostToHigher - before.lostToHigher,
            accepted: cd.accepted - before.accepted,
            capped: cd.capped - before.capped,
          });
        }
      }
    }
    demandOverSupply[day] /= dayRequests;
    if (policy === 'planned') forecastShapeTv.push(totalVariation(requestsByHour, forecastByHour));
    for (const cd of today) if (cd !== null) days.push(cd);
  }
  const flights = CAMPAIGNS.flatMap((c, k) => (c.flight === null ? [] : [{ campaign: c, goal: flightTotals[k], delivered: flightDelivered[k] }]));
  return { days, flights, demandOverSupply, forecastShapeTv };
}

/**
 * The linear allowance as a counter check: even and frontloaded (which the campaign config cannot express yet) are held to
 * evenPacingAllowance(daily goal, fraction of the day); a flight's total to the allowance over the flight's fraction
 * elapsed (what goalChecks does for a total-only goal with an end); asap to its goal only.
 */
function allowancePasses(c: SimCampaign, cd: CampaignDay, flightDelivered: number, flightTotal: number, day: number, dayFraction: number): boolean {
  if (c.mode === 'asap') return true;
  if (c.flight !== null) {
    const span = c.flight.lastDay - c.flight.firstDay + 1;
    return flightDelivered < evenPacingAllowance(flightTotal, (day - c.flight.firstDay + dayFraction) / span);
  }
  return cd.delivered < evenPacingAllowance(cd.goal, dayFraction);
}
