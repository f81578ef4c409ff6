import { createRng } from '../util/rng';
import { planDay, type DayPlan, type PlanDay } from './plan';
import { attributeShortfall, DEFAULT_THROTTLE_PARAMS, stepThrottle, throttlePasses, ZERO_COUNTERS, type ThrottleParams, type ThrottleState } from './throttle';

const MINUTE = 60_000;
const DAY: PlanDay = { startOfDayMs: 0, hours: 24 };
// Forecast: 60 eligible requests an hour (1 a minute); goal 360 → the plan asks for 0.25 a minute all day.
const GOAL = 360;
const PLAN = planDay({ goal: GOAL, delivered: 0, mode: 'even', day: DAY, weights: new Array(24).fill(60), nowMs: 0 });

interface FluidRun {
  readonly trace: ThrottleState[];
  readonly delivered: number;
}

/**
 * A day in expectation, minute by minute: `offered(m)` requests reach the campaign, probability · offered are
 * accepted, a share `deliverShare` of those is delivered (the rest refused by caps, reported as capped or not).
 */
function fluidDay(o: { offered: (minute: number) => number; deliverShare?: number; reportCapped?: boolean; params?: Partial<ThrottleParams> }): FluidRun {
  const params = { ...DEFAULT_THROTTLE_PARAMS, ...o.params };
  const share = o.deliverShare ?? 1;
  const c = { delivered: 0, offered: 0, accepted: 0, capped: 0 };
  let state: ThrottleState | null = null;
  const trace: ThrottleState[] = [];
  for (let m = 0; m < 1440; m++) {
    state = stepThrottle(state, { nowMs: m * MINUTE, plan: PLAN, counters: c }, params);
    trace.push(state);
    const accepted = state.probability * o.offered(m);
    c.offered += o.offered(m);
    c.accepted += accepted;
    if (o.reportCapped ?? true) c.capped += accepted * (1 - share);
    c.delivered += Math.min(GOAL - c.delivered, accepted * share);
  }
  return { trace, delivered: c.delivered };
}

describe('stepThrottle converges to the plan', () => {
  // Twice the forecast reaches the campaign: the probability must settle at 0.25 / 2.
  const run = fluidDay({ offered: () => 2 });
  it.each([
    // the target runs 10 minutes ahead (leadMs), so the day starts 2.5 units behind and catches up within the hour
    { minute: 1, p: 0.1752, deviation: 2 },
    { minute: 30, p: 0.1379, deviation: 0.364 },
    { minute: 60, p: 0.1279, deviation: -0.051 },
    { minute: 240, p: 0.1248, deviation: -0.075 },
    { minute: 720, p: 0.125, deviation: -0.005 },
  ])('minute $minute: p = $p, deviation $deviation', ({ minute, p, deviation }) => {
    expect(run.trace[minute].probability).toBeCloseTo(p, 4);
    expect(run.trace[minute].deviation).toBeCloseTo(deviation, 3);
    expect(run.trace[minute].supplyRatio).toBeCloseTo(2, 10);
  });

  it('delivers the goal and stops', () => {
    expect(run.delivered).toBeCloseTo(GOAL, 9);
    expect(run.trace[1439].probability).toBe(0);
  });

  it.each([
    // 20 % of accepted requests refused by caps the counters do not show: supply is over-estimated by 1.25×.
    // P alone settles where 0.8·(rate + e/τ) = rate: e = rate·τ/4 = 0.25·20/4 = 1.25 units behind; the integral removes it.
    { title: 'P only (ki = 0)', ki: 0, deviationAt720: 1.25, integralAt720: 0 },
    { title: 'PI (ki = 0.1)', ki: 0.1, deviationAt720: 0.02, integralAt720: 1.233 },
  ])('unseen losses: $title ends $deviationAt720 behind at noon', ({ ki, deviationAt720, integralAt720 }) => {
    const biased = fluidDay({ offered: () => 2, deliverShare: 0.8, reportCapped: false, params: { ki } });
    expect(biased.trace[720].deviation).toBeCloseTo(deviationAt720, 2);
    expect(biased.trace[720].integral).toBeCloseTo(integralAt720, 2);
  });

  it('reported caps lower the supply estimate instead: 2 · 0.8 ≈ 1.64 (decayed sums with one pseudo-count)', () => {
    const capped = fluidDay({ offered: () => 2, deliverShare: 0.8, reportCapped: true });
    expect(capped.trace[720].supplyRatio).toBeCloseTo(1.639, 3);
    expect(capped.trace[720].probability).toBeCloseTo(0.25 / 1.6, 2);
    expect(capped.delivered).toBeCloseTo(GOAL, 9);
  });
});

describe('stepThrottle anti-windup', () => {
  // Nothing reaches the campaign from 02:00 to 08:00.
  const run = fluidDay({ offered: (m) => (m >= 120 && m < 480 ? 0 : 2) });
  it.each([
    { minute: 300, p: 1, deviation: 44.863, integral: 0.768 },
    { minute: 479, p: 1, deviation: 89.613, integral: 0.768 }, // frozen while saturated
    { minute: 540, p: 0.3081, deviation: 3.841, integral: 1.944 }, // caught up within the hour
    { minute: 600, p: 0.1252, deviation: -1.833, integral: 1.764 }, // slightly ahead, never far
    { minute: 720, p: 0.1221, deviation: -1.018, integral: 0.901 },
  ])('minute $minute: p = $p, deviation $deviation, integral $integral', ({ minute, p, deviation, integral }) => {
    expect(run.trace[minute].probability).toBeCloseTo(p, 4);
    expect(run.trace[minute].deviation).toBeCloseTo(deviation, 3);
    expect(run.trace[minute].integral).toBeCloseTo(integral, 3);
  });

  it('still makes the day', () => {
    expect(run.delivered).toBeCloseTo(GOAL, 9);
  });

  it('clamps the integral to ±integralLimitFraction · goal', () => {
    // 95 % unseen losses and a large ki: the integral would run away.
    const runaway = fluidDay({ offered: () => 2, deliverShare: 0.05, reportCapped: false, params: { ki: 5 } });
    const limit = DEFAULT_THROTTLE_PARAMS.integralLimitFraction * GOAL;
    expect(Math.max(...runaway.trace.map((s) => s.integral))).toBeCloseTo(limit, 10);
    expect(runaway.trace.every((s) => s.probability >= 0 && s.probability <= 1)).toBe(true);
  });
});

describe('stepThrottle bounds and modes', () => {
  const state = (over: Partial<ThrottleState>): ThrottleState => ({
    startOfDayMs: 0,
    atMs: 600 * MINUTE - MINUTE,
    counters: { delivered: 0, offered: 19, accepted: 5, capped: 0 },
    offeredSum: 20,
    acceptedSum: 5,
    cappedSum: 0,
    forecastSum: 20,
    supplyRatio: 1,
    deviation: 0,
    integral: 0,
    probability: 0.25,
    ...over,
  });
  const asap: DayPlan = { ...PLAN, mode: 'asap' };
  it.each([
    { title: 'far behind → 1', plan: PLAN, delivered: 0, previous: state({}), p: 1 },
    { title: 'far ahead → 0', plan: PLAN, delivered: 300, previous: state({}), p: 0 },
    { title: 'on plan → the plan’s rate over the supply', plan: PLAN, delivered: 152.5, previous: state({}), p: 0.25 },
    { title: 'goal reached → 0', plan: PLAN, delivered: GOAL, previous: state({}), p: 0 },
    { title: 'asap → 1, even when done', plan: asap, delivered: GOAL, previous: state({}), p: 1 },
    { title: 'no supply seen or forecast, behind → 1', plan: { ...PLAN, weights: new Array(24).fill(0) }, delivered: 0, previous: state({ forecastSum: 0, supplyRatio: 0 }), p: 1 },
  ])('$title', ({ plan, delivered, previous, p }) => {
    // one more offered request in the minute the forecast expects one: the supply ratio stays 1
    const next = stepThrottle(previous, { nowMs: 600 * MINUTE, plan, counters: { delivered, offered: 20, accepted: 5, capped: 0 } });
    expect(next.probability).toBeCloseTo(p, 2);
    expect(next.probability).toBeGreaterThanOrEqual(0);
    expect(next.probability).toBeLessThanOrEqual(1);
  });

  it('a new day resets the integral and the counters, keeps the supply estimate', () => {
    const yesterday = state({ startOfDayMs: -86_400_000, atMs: -MINUTE, integral: 7, counters: { delivered: 300, offered: 900, accepted: 400, capped: 0 }, offeredSum: 34, supplyRatio: 1.7 });
    const next = stepThrottle(yesterday, { nowMs: 0, plan: PLAN, counters: ZERO_COUNTERS });
    expect(next.integral).toBe(0);
    expect(next.counters).toEqual(ZERO_COUNTERS);
    expect(next.startOfDayMs).toBe(0);
    expect(next.supplyRatio).toBeCloseTo(1.7, 10);
  });

  it('is deterministic and plain JSON', () => {
    const input = { nowMs: 600 * MINUTE, plan: PLAN, counters: { delivered: 150, offered: 20, accepted: 5, capped: 1 } };
    const a = stepThrottle(state({}), input);
    expect(stepThrottle(state({}), input)).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});

describe('throttlePasses', () => {
  it.each([
    { p: 0, passes: 0 },
    { p: 1, passes: 10_000 },
    { p: 0.3, passes: 3018 }, // mulberry32, seed 7
  ])('p = $p: $passes of 10,000', ({ p, passes }) => {
    const rng = createRng(7);
    let n = 0;
    for (let i = 0; i < 10_000; i++) if (throttlePasses(p, rng)) n++;
    expect(n).toBe(passes);
  });
});

describe('attributeShortfall', () => {
  it.each([
    { title: 'met', c: { goal: 100, delivered: 100, eligible: 500, lostToHigher: 100, throttled: 200, capped: 0 }, expected: { kind: 'met' } },
    { title: 'within tolerance', c: { goal: 100, delivered: 99, eligible: 500, lostToHigher: 100, throttled: 200, capped: 0 }, tolerance: 0.02, expected: { kind: 'met' } },
    { title: 'not enough eligible traffic', c: { goal: 100, delivered: 80, eligible: 80, lostToHigher: 0, throttled: 0, capped: 0 }, expected: { kind: 'short', cause: 'eligible_traffic', missing: 20, missingFraction: 0.2 } },
    { title: 'a higher priority took it', c: { goal: 100, delivered: 60, eligible: 200, lostToHigher: 140, throttled: 0, capped: 0 }, expected: { kind: 'short', cause: 'higher_priority', missing: 40, missingFraction: 0.4 } },
    // reached 150, accepted 100 of which 50 capped → 150 · 0.5 = 75 < 100
    { title: 'frequency caps', c: { goal: 100, delivered: 50, eligible: 200, lostToHigher: 50, throttled: 50, capped: 50 }, expected: { kind: 'short', cause: 'frequency_cap', missing: 50, missingFraction: 0.5 } },
    { title: 'the supply was there: the throttle held back', c: { goal: 100, delivered: 90, eligible: 400, lostToHigher: 100, throttled: 210, capped: 0 }, expected: { kind: 'short', cause: 'throttle', missing: 10, missingFraction: 0.1 } },
  ])('$title', ({ c, tolerance, expected }: { c: Parameters<typeof attributeShortfall>[0]; tolerance?: number; expected: unknown }) => {
    expect(attributeShortfall(c, tolerance)).toEqual(expected);
  });
});
