import { localClock } from '../policy/local-time';
import {
  availabilityAt,
  closeDay,
  defaultWeeklyShape,
  eligibleShareOf,
  expectedRequests,
  HOURS_PER_WEEK,
  hourOfWeek,
  newAvailabilityProfile,
  newTrafficForecast,
  NO_ELIGIBLE_SHARE,
  observeAvailability,
  observeEligibleShare,
  observeHour,
  type TrafficForecast,
} from './forecast';

const FLAT = new Array<number>(HOURS_PER_WEEK).fill(1);

describe('hourOfWeek', () => {
  it.each([
    // instant (UTC), zone → weekday (Mon = 0) · 24 + local hour
    { at: '2026-11-30T00:30:00Z', tz: 'UTC', bucket: 0 }, // Monday 00:30
    { at: '2026-11-30T00:30:00Z', tz: 'Asia/Shanghai', bucket: 8 }, // Monday 08:30
    { at: '2026-11-30T03:00:00Z', tz: 'America/New_York', bucket: 6 * 24 + 22 }, // still Sunday 22:00
    { at: '2026-03-08T07:30:00Z', tz: 'America/New_York', bucket: 6 * 24 + 3 }, // Sunday after spring forward: 03:30 EDT
    { at: '2026-06-01T18:29:00Z', tz: 'Asia/Kolkata', bucket: 23 }, // Monday 23:59 in a half-hour zone
  ])('$at in $tz → $bucket', ({ at, tz, bucket }) => {
    expect(hourOfWeek(localClock(Date.parse(at), tz))).toBe(bucket);
  });
});

describe('defaultWeeklyShape', () => {
  const shape = defaultWeeklyShape();

  it('has 168 factors with mean 1', () => {
    expect(shape).toHaveLength(HOURS_PER_WEEK);
    expect(shape.reduce((a, b) => a + b, 0) / HOURS_PER_WEEK).toBeCloseTo(1, 12);
  });

  it.each([
    { title: 'Monday 04:00, the trough', bucket: 4, factor: 0.3654 },
    { title: 'Monday 09:00, after the commute', bucket: 9, factor: 1.0149 },
    { title: 'Monday 21:00, the evening peak', bucket: 21, factor: 1.5021 },
    { title: 'Saturday 09:00, a later morning', bucket: 5 * 24 + 9, factor: 1.0718 },
    { title: 'Saturday 21:00, the weekend peak', bucket: 5 * 24 + 21, factor: 1.697 },
    { title: 'Sunday 04:00', bucket: 6 * 24 + 4, factor: 0.405 },
  ])('$title: $factor', ({ bucket, factor }) => {
    expect(shape[bucket]).toBeCloseTo(factor, 4);
  });

  it('puts the weekday evening peak at about 4× the night trough', () => {
    expect(shape[21] / shape[4]).toBeCloseTo(3.7 / 0.9, 10);
  });
});

describe('observeHour and closeDay', () => {
  function replay(hours: readonly (readonly [string, number, number])[], shape: readonly number[] = FLAT): TrafficForecast {
    return hours.reduce((f, [day, bucket, count]) => observeHour(f, bucket, count, day), newTrafficForecast(shape));
  }
  const monday = (counts: (h: number) => number) => Array.from({ length: 24 }, (_, h) => ['mon', h, counts(h)] as const);
  const tuesday = (counts: (h: number) => number) => Array.from({ length: 24 }, (_, h) => ['tue', 24 + h, counts(h)] as const);

  it('before any observation: no level, expectations in shape units', () => {
    const f = newTrafficForecast();
    expect(f.levelPerHour).toBeNull();
    expect(expectedRequests(f, 21)).toBeCloseTo(1.5021, 4);
  });

  it.each([
    // flat shape; defaults: level α = 0.3, season γ = 0.3, sibling γ = 0.15, clip 2
    { title: 'the first hour sets the level', hours: [['mon', 0, 100]] as const, fold: false, level: 100, expected: [[0, 100], [1, 100]] },
    { title: 'until the first day is folded, the level is the day so far', hours: [['mon', 0, 100], ['mon', 1, 300]] as const, fold: false, level: 200, expected: [[0, 200], [1, 200]] },
    {
      // T = 400 over W = 2: level 200; r_0 = (100/400)/(1/2) = 0.5 → ×0.85 (siblings ×0.925); r_1 = 1.5 → ×1.15 (×1.075)
      title: 'folding moves each bucket by its share of the day, its weekday siblings less, not the weekend',
      hours: [['mon', 0, 100], ['mon', 1, 300]] as const,
      fold: true,
      level: 200,
      expected: [[0, 170], [1, 230], [25, 215], [4 * 24 + 1, 215], [5 * 24 + 1, 200], [2, 200]],
    },
    {
      // T = 2500, W = 24: level 104.17; 05:00 r = (200/2500)·24 = 1.92, the rest 0.96; 23:00 folds the day itself
      title: 'a full day folds at 23:00',
      hours: monday((h) => (h === 5 ? 200 : 100)),
      fold: false,
      level: 104.1667,
      expected: [[5, 132.9167], [29, 118.5417], [6, 102.9167]],
    },
    {
      // Monday's shape at twice the volume: the level moves (α = 0.3), Tuesday's volume only ×(1 + 0.2·(1.25 − 1)),
      // and the shape learns from the day's own distribution, as it would from a normal Tuesday
      title: 'a day at 2× traffic is a level change, not a new shape',
      hours: [...monday((h) => (h === 5 ? 200 : 100)), ...tuesday((h) => (h === 5 ? 400 : 200))],
      fold: false,
      level: 136.396,
      expected: [[5, 190.6023], [29, 195.1666], [53, 169.9885], [54, 133.9135]],
    },
  ])('$title', ({ hours, fold, level, expected }) => {
    const observed = replay(hours);
    const f = fold ? closeDay(observed) : observed;
    expect(f.levelPerHour).toBeCloseTo(level, 4);
    expect(f.observedHours).toBe(hours.length);
    for (const [bucket, value] of expected) expect(expectedRequests(f, bucket)).toBeCloseTo(value, 4);
    expect(f.season.reduce((a, b) => a + b, 0)).toBeCloseTo(HOURS_PER_WEEK, 9);
  });

  it('adds up a bucket seen twice (the repeated hour of a 25-hour day) and folds on a new day key', () => {
    const f = replay([['sun', 6 * 24 + 1, 50], ['sun', 6 * 24 + 1, 70]]);
    expect(f.day).toEqual({ key: 'sun', buckets: [6 * 24 + 1], counts: [120] });
    const g = observeHour(f, 0, 10, 'mon');
    expect(g.observedDays).toBe(1);
    expect(g.day).toEqual({ key: 'mon', buckets: [0], counts: [10] });
  });

  it('does not change its argument and survives JSON', () => {
    const before = newTrafficForecast();
    const copy = JSON.parse(JSON.stringify(before)) as TrafficForecast;
    const after = observeHour(before, 5, 42, 'mon');
    expect(before).toEqual(copy);
    expect(JSON.parse(JSON.stringify(after))).toEqual(after);
  });

  it.each([
    // weekdays learn from five days a week, weekends from two: the worst buckets are weekend nights
    { weeks: 1, worst: 0.69, meanAbs: 0.158 },
    { weeks: 2, worst: 0.4, meanAbs: 0.082 },
    { weeks: 4, worst: 0.151, meanAbs: 0.035 },
  ])('learns a curve unlike the default: after $weeks weeks every bucket within $worst, mean within $meanAbs', ({ weeks, worst, meanAbs }) => {
    // Truth: 1000 requests an hour × a 4:1 curve peaking at 18:00 on weekdays and 14:00 on weekends.
    const truth = (b: number) => 1000 * (1 + 0.6 * Math.cos(((b % 24) - (b >= 120 ? 14 : 18)) * (Math.PI / 12)));
    let f = newTrafficForecast();
    for (let h = 0; h < weeks * HOURS_PER_WEEK; h++) f = observeHour(f, h % HOURS_PER_WEEK, truth(h % HOURS_PER_WEEK), `d${Math.floor(h / 24)}`);
    const errors = Array.from({ length: HOURS_PER_WEEK }, (_, b) => Math.abs(expectedRequests(f, b) / truth(b) - 1));
    expect(Math.max(...errors)).toBeLessThan(worst);
    expect(errors.reduce((a, b) => a + b, 0) / HOURS_PER_WEEK).toBeLessThan(meanAbs);
  });
});

describe('eligible share', () => {
  it.each([
    { title: 'prior before any traffic', obs: [] as [number, number][], prior: 0.3, share: 0.3 },
    { title: 'one hour', obs: [[25, 100]] as [number, number][], prior: 1, share: 0.25 },
    // counts: e = 0.9·2.5 + 0.1·90 = 11.25, t = 0.9·10 + 0.1·100 = 19 → 0.5921; the busy hour weighs more
    { title: 'ratio of smoothed counts', obs: [[25, 100], [90, 100]] as [number, number][], prior: 1, share: 11.25 / 19 },
    { title: 'a quiet hour barely moves it', obs: [[25, 100], [1, 1]] as [number, number][], prior: 1, share: (0.9 * 2.5 + 0.1) / (0.9 * 10 + 0.1) },
  ])('$title → $share', ({ obs, prior, share }) => {
    const s = obs.reduce((acc, [e, t]) => observeEligibleShare(acc, e, t), NO_ELIGIBLE_SHARE);
    expect(eligibleShareOf(s, prior)).toBeCloseTo(share, 10);
  });
});

describe('availability', () => {
  it.each([
    { title: 'unobserved hour: the prior', obs: [], hour: 3, value: 1 },
    // (100 − 40)·(1 − 5/50) = 54 of 100
    { title: 'lost to higher priority and capped', obs: [{ hour: 3, eligible: 100, lostToHigher: 40, accepted: 50, capped: 5 }], hour: 3, value: 0.54 },
    { title: 'another hour is untouched', obs: [{ hour: 3, eligible: 100, lostToHigher: 40, accepted: 50, capped: 5 }], hour: 4, value: 1 },
    {
      // a = 0.8·0.2·54 + 0.2·90, e = 0.8·0.2·100 + 0.2·100
      title: 'smoothed over days (α = 0.2)',
      obs: [
        { hour: 3, eligible: 100, lostToHigher: 40, accepted: 50, capped: 5 },
        { hour: 3, eligible: 100, lostToHigher: 10, accepted: 0, capped: 0 },
      ],
      hour: 3,
      value: (0.16 * 54 + 0.2 * 90) / (0.16 * 100 + 0.2 * 100),
    },
    { title: 'an hour without eligible requests teaches nothing', obs: [{ hour: 3, eligible: 0, lostToHigher: 0, accepted: 0, capped: 0 }], hour: 3, value: 1 },
  ])('$title → $value', ({ obs, hour, value }) => {
    const p = obs.reduce((acc, o) => observeAvailability(acc, o), newAvailabilityProfile());
    expect(availabilityAt(p, hour)).toBeCloseTo(value, 10);
  });
});
