import { localClock } from '../policy/local-time';
import { HOUR_MS, HOURS_PER_WEEK, hourOfWeek, newTrafficForecast } from './forecast';
import { forecastBetween, hourlyEligibleForecast, planDay, planDayOf, planDaysUntil, plannedBy, todaysFlightGoal, type DayPlan, type PacingMode, type PlanDay } from './plan';

// A four-hour "day" keeps the tables readable; the functions only see day.hours.
const DAY4: PlanDay = { startOfDayMs: 0, hours: 4 };
const at = (hours: number) => hours * HOUR_MS;

function plan4(mode: PacingMode, weights: number[], goal: number, delivered = 0, hours = 0): DayPlan {
  return planDay({ goal, delivered, mode, day: DAY4, weights, nowMs: at(hours) });
}

describe('planDay', () => {
  it.each([
    { title: 'even: the goal in proportion to the forecast', mode: 'even', weights: [1, 2, 3, 4], goal: 100, delivered: 0, hours: 0, kind: 'planned', planned: [10, 20, 30, 40] },
    // 80 left over what is ahead: half of hour 1 (weight 1), hours 2 and 3 (3 + 4) → 80·[1, 3, 4]/8
    { title: 'even, re-planned at 01:30 with 20 done', mode: 'even', weights: [1, 2, 3, 4], goal: 100, delivered: 20, hours: 1.5, kind: 'planned', planned: [0, 10, 30, 40] },
    { title: 'even around day-parted hours (weight 0)', mode: 'even', weights: [0, 2, 2, 0], goal: 100, delivered: 0, hours: 0, kind: 'planned', planned: [0, 50, 50, 0] },
    // C(x) = 100·min(1, 1.25·W(x)/W): done after 80 % of the supply
    { title: 'frontloaded (lead 0.25), flat forecast', mode: 'frontloaded', weights: [1, 1, 1, 1], goal: 100, delivered: 0, hours: 0, kind: 'planned', planned: [31.25, 31.25, 31.25, 6.25] },
    // W(x) = 1, 3, 6, 10 → C = 12.5, 37.5, 75, 100
    { title: 'frontloaded, rising forecast', mode: 'frontloaded', weights: [1, 2, 3, 4], goal: 100, delivered: 0, hours: 0, kind: 'planned', planned: [12.5, 25, 37.5, 25] },
    { title: 'asap: all that is left now', mode: 'asap', weights: [1, 2, 3, 4], goal: 100, delivered: 20, hours: 1.5, kind: 'planned', planned: [0, 80, 0, 0] },
    { title: 'goal reached', mode: 'even', weights: [1, 2, 3, 4], goal: 100, delivered: 100, hours: 2, kind: 'goal_reached', planned: [0, 0, 0, 0] },
    { title: 'no forecast supply left today', mode: 'even', weights: [1, 1, 0, 0], goal: 100, delivered: 40, hours: 2.5, kind: 'no_supply', planned: [0, 0, 0, 0] },
  ] as const)('$title', ({ mode, weights, goal, delivered, hours, kind, planned }) => {
    const plan = plan4(mode, [...weights], goal, delivered, hours);
    expect(plan.kind).toBe(kind);
    plan.planned.forEach((units, h) => expect(units).toBeCloseTo(planned[h], 10));
    expect(plan.madeAtHour).toBe(hours);
    expect(plan.deliveredAtStart).toBe(Math.min(delivered, goal));
  });

  it('is deterministic and plain JSON', () => {
    const a = plan4('frontloaded', [3, 1, 4, 1], 1000, 123, 0.7);
    const b = plan4('frontloaded', [3, 1, 4, 1], 1000, 123, 0.7);
    expect(a).toEqual(b);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});

describe('plannedBy', () => {
  const even = plan4('even', [1, 2, 3, 4], 100);
  const replanned = plan4('even', [1, 2, 3, 4], 100, 20, 1.5);
  it.each([
    { title: 'start of day', plan: even, hours: 0, units: 0 },
    { title: 'linear within an hour', plan: even, hours: 0.5, units: 5 },
    { title: 'hour boundary', plan: even, hours: 1, units: 10 },
    { title: 'a quarter into hour 2', plan: even, hours: 2.25, units: 37.5 },
    { title: 'end of day', plan: even, hours: 4, units: 100 },
    { title: 'after the day', plan: even, hours: 9, units: 100 },
    { title: 're-planned: what was done when it was made', plan: replanned, hours: 1.5, units: 20 },
    { title: 're-planned: before it was made', plan: replanned, hours: 1, units: 20 },
    // hour 1's 10 units span [1.5, 2): half of that span is 5
    { title: 're-planned: the partial first hour', plan: replanned, hours: 1.75, units: 25 },
    { title: 're-planned: hour boundary', plan: replanned, hours: 2, units: 30 },
    { title: 'asap: the goal at once', plan: plan4('asap', [1, 2, 3, 4], 100), hours: 0, units: 100 },
  ])('$title → $units', ({ plan, hours, units }) => {
    expect(plannedBy(plan, at(hours))).toBeCloseTo(units, 10);
  });
});

describe('forecastBetween', () => {
  const plan = plan4('even', [1, 2, 3, 4], 100);
  it.each([
    { from: 0, to: 4, requests: 10 },
    { from: 0.5, to: 2.5, requests: 0.5 + 2 + 1.5 },
    { from: 3.5, to: 9, requests: 2 },
    { from: 2, to: 2, requests: 0 },
  ])('[$from h, $to h) → $requests', ({ from, to, requests }) => {
    expect(forecastBetween(plan, at(from), at(to))).toBeCloseTo(requests, 10);
  });
});

describe('hourlyEligibleForecast', () => {
  // season[b] ∝ b + 1, so each weight names the bucket it was read from: w = share · (b + 1) / 84.5
  const ramp = newTrafficForecast(Array.from({ length: HOURS_PER_WEEK }, (_, b) => b + 1));
  const sourceIn = (zone: string, share = 0.5) => ({ forecast: ramp, share, bucketAt: (ms: number) => hourOfWeek(localClock(ms, zone)) });
  const bucketsOf = (weights: number[], share = 0.5) => weights.map((w) => Math.round((w / share) * 84.5 - 1));

  it.each([
    {
      title: 'a 23-hour DST day in its own zone skips 02:00',
      day: planDayOf(localClock(Date.parse('2026-03-08T12:00:00Z'), 'America/New_York')),
      zone: 'America/New_York',
      buckets: [144, 145, ...Array.from({ length: 21 }, (_, i) => 147 + i)],
    },
    {
      title: 'a Shanghai campaign day against a UTC slot forecast: Sunday 16:00 UTC onwards',
      day: planDayOf(localClock(Date.parse('2026-11-30T04:00:00Z'), 'Asia/Shanghai')),
      zone: 'UTC',
      buckets: [...Array.from({ length: 8 }, (_, i) => 160 + i), ...Array.from({ length: 16 }, (_, i) => i)],
    },
  ])('$title', ({ day, zone, buckets }) => {
    const weights = hourlyEligibleForecast(day, [sourceIn(zone)]);
    expect(weights).toHaveLength(buckets.length);
    expect(bucketsOf(weights)).toEqual(buckets);
  });

  it('multiplies by the available share and sums the sources', () => {
    const day = planDayOf(localClock(Date.parse('2026-11-30T12:00:00Z'), 'UTC'));
    const dayParted = (ms: number) => (localClock(ms, 'UTC').hour >= 7 ? 0.5 : 0);
    const weights = hourlyEligibleForecast(day, [sourceIn('UTC', 0.2), sourceIn('UTC', 0.3)], dayParted);
    expect(weights.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(weights[7]).toBeCloseTo((0.5 * 0.5 * 8) / 84.5, 12);
  });
});

describe('planDaysUntil', () => {
  it.each([
    { title: 'three days across spring forward', first: '2026-03-07T12:00:00Z', end: '2026-03-10T04:00:00Z', hours: [24, 23, 24] },
    { title: 'an end inside a day includes that day', first: '2026-03-07T12:00:00Z', end: '2026-03-09T12:00:00Z', hours: [24, 23, 24] },
    { title: 'an end before the first day ends: one day', first: '2026-03-07T12:00:00Z', end: '2026-03-07T13:00:00Z', hours: [24] },
    { title: 'fall back: a 25-hour day', first: '2026-10-31T12:00:00Z', end: '2026-11-02T05:00:00Z', hours: [24, 25] },
  ])('$title', ({ first, end, hours }) => {
    const clockAt = (ms: number) => localClock(ms, 'America/New_York');
    expect(planDaysUntil(clockAt(Date.parse(first)), Date.parse(end), clockAt).map((d) => d.hours)).toEqual(hours);
  });
});

describe('todaysFlightGoal', () => {
  it.each([
    // left at the day's start 1000 − (300 − 50) = 750; today 1 of 4 parts → 187.5 → 188
    { title: 'split by the remaining days’ forecast', totalGoal: 1000, deliveredInFlight: 300, deliveredToday: 50, dayWeights: [1, 1, 2], goal: 188 },
    { title: 'the same later in the day', totalGoal: 1000, deliveredInFlight: 400, deliveredToday: 150, dayWeights: [1, 1, 2], goal: 188 },
    { title: 'a heavy day gets more', totalGoal: 1000, deliveredInFlight: 0, deliveredToday: 0, dayWeights: [3, 1], goal: 750 },
    { title: 'the last day takes what is left', totalGoal: 1000, deliveredInFlight: 930, deliveredToday: 10, dayWeights: [5], goal: 80 },
    { title: 'the total is done', totalGoal: 1000, deliveredInFlight: 1000, deliveredToday: 0, dayWeights: [1, 1], goal: 0 },
    { title: 'no forecast: equal days', totalGoal: 1000, deliveredInFlight: 250, deliveredToday: 0, dayWeights: [0, 0], goal: 375 },
  ])('$title → $goal', ({ title: _title, goal, ...input }) => {
    expect(todaysFlightGoal(input)).toBe(goal);
  });
});
