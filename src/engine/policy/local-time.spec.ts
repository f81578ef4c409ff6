import { dayElapsedFraction, isoWeek, isValidTimeZone, localClock } from './local-time';

describe('localClock', () => {
  it.each([
    // instant (UTC), zone → local date, weekday (Mon=0), hour, day bounds (UTC ISO)
    { at: '2026-11-28T13:30:00Z', tz: 'UTC', date: '2026-11-28', weekday: 5, hour: 13, start: '2026-11-28T00:00:00Z', end: '2026-11-29T00:00:00Z' },
    { at: '2026-11-28T16:30:00Z', tz: 'Asia/Shanghai', date: '2026-11-29', weekday: 6, hour: 0, start: '2026-11-28T16:00:00Z', end: '2026-11-29T16:00:00Z' },
    { at: '2026-11-28T15:59:59Z', tz: 'Asia/Shanghai', date: '2026-11-28', weekday: 5, hour: 23, start: '2026-11-27T16:00:00Z', end: '2026-11-28T16:00:00Z' },
    // US spring forward 2026-03-08 02:00 local: 23-hour day, 01:59:59 EST is followed by 03:00 EDT
    { at: '2026-03-08T06:59:59Z', tz: 'America/New_York', date: '2026-03-08', weekday: 6, hour: 1, start: '2026-03-08T05:00:00Z', end: '2026-03-09T04:00:00Z' },
    { at: '2026-03-08T07:00:00Z', tz: 'America/New_York', date: '2026-03-08', weekday: 6, hour: 3, start: '2026-03-08T05:00:00Z', end: '2026-03-09T04:00:00Z' },
    // US fall back 2026-11-01: 25-hour day, the 01:xx hour happens twice
    { at: '2026-11-01T05:30:00Z', tz: 'America/New_York', date: '2026-11-01', weekday: 6, hour: 1, start: '2026-11-01T04:00:00Z', end: '2026-11-02T05:00:00Z' },
    { at: '2026-11-01T06:30:00Z', tz: 'America/New_York', date: '2026-11-01', weekday: 6, hour: 1, start: '2026-11-01T04:00:00Z', end: '2026-11-02T05:00:00Z' },
    // EU spring forward 2026-03-29 01:00 UTC
    { at: '2026-03-29T00:59:00Z', tz: 'Europe/Berlin', date: '2026-03-29', weekday: 6, hour: 1, start: '2026-03-28T23:00:00Z', end: '2026-03-29T22:00:00Z' },
    { at: '2026-03-29T01:00:00Z', tz: 'Europe/Berlin', date: '2026-03-29', weekday: 6, hour: 3, start: '2026-03-28T23:00:00Z', end: '2026-03-29T22:00:00Z' },
    // half-hour zone
    { at: '2026-06-01T18:29:00Z', tz: 'Asia/Kolkata', date: '2026-06-01', weekday: 0, hour: 23, start: '2026-05-31T18:30:00Z', end: '2026-06-01T18:30:00Z' },
  ])('$at in $tz → $date h$hour', ({ at, tz, date, weekday, hour, start, end }) => {
    const c = localClock(Date.parse(at), tz);
    expect(c.dateKey).toBe(date);
    expect(c.weekday).toBe(weekday);
    expect(c.hour).toBe(hour);
    expect(new Date(c.startOfDayMs).toISOString()).toBe(new Date(start).toISOString());
    expect(new Date(c.endOfDayMs).toISOString()).toBe(new Date(end).toISOString());
  });

  it.each([
    { at: '2026-11-28T13:30:15.900Z', tz: 'UTC', hms: [13, 30, 15] },
    { at: '2026-06-01T18:29:59Z', tz: 'Asia/Kolkata', hms: [23, 59, 59] },
    { at: '2026-06-01T18:30:00Z', tz: 'Asia/Kolkata', hms: [0, 0, 0] },
    { at: '2026-06-01T18:44:59Z', tz: 'Asia/Kathmandu', hms: [0, 29, 59] },
    // same 15-minute bucket, twice: the cached bucket must not leak minutes
    { at: '2026-11-01T06:00:01Z', tz: 'America/New_York', hms: [1, 0, 1] },
    { at: '2026-11-01T06:14:59Z', tz: 'America/New_York', hms: [1, 14, 59] },
    { at: '2026-11-01T05:59:59Z', tz: 'America/New_York', hms: [1, 59, 59] },
  ])('$at in $tz → $hms', ({ at, tz, hms }) => {
    const c = localClock(Date.parse(at), tz);
    expect([c.hour, c.minute, c.second]).toEqual(hms);
  });

  it.each([
    // 23-hour day: local noon EDT (16:00Z) is 11 real hours after 05:00Z
    { at: '2026-03-08T16:00:00Z', tz: 'America/New_York', fraction: 11 / 23 },
    // 25-hour day: local noon EST (17:00Z) is 13 real hours after 04:00Z
    { at: '2026-11-01T17:00:00Z', tz: 'America/New_York', fraction: 13 / 25 },
    { at: '2026-11-28T06:00:00Z', tz: 'UTC', fraction: 0.25 },
    { at: '2026-11-28T00:00:00Z', tz: 'UTC', fraction: 0 },
  ])('dayElapsedFraction($at, $tz) = $fraction', ({ at, tz, fraction }) => {
    const now = Date.parse(at);
    expect(dayElapsedFraction(localClock(now, tz), now)).toBeCloseTo(fraction, 12);
  });

  it.each([
    { y: 2026, m: 1, d: 1, key: '2026-W01' },
    { y: 2027, m: 1, d: 1, key: '2026-W53' },
    { y: 2024, m: 12, d: 30, key: '2025-W01' },
    { y: 2026, m: 11, d: 29, key: '2026-W48' },
    { y: 2021, m: 1, d: 3, key: '2020-W53' },
  ])('isoWeek($y-$m-$d) = $key', ({ y, m, d, key }) => {
    const w = isoWeek(y, m, d);
    expect(`${w.weekYear}-W${String(w.week).padStart(2, '0')}`).toBe(key);
  });

  it('week key follows the local date, not UTC', () => {
    // Sunday 2026-11-29 20:00 UTC is already Monday in Shanghai → next ISO week
    expect(localClock(Date.parse('2026-11-29T20:00:00Z'), 'UTC').isoWeekKey).toBe('2026-W48');
    expect(localClock(Date.parse('2026-11-29T20:00:00Z'), 'Asia/Shanghai').isoWeekKey).toBe('2026-W49');
  });

  it('validates zone names', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
