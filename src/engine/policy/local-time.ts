/** Wall-clock view of one instant in one IANA time zone. Weekday 0 = Monday … 6 = Sunday. */
export interface LocalClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 'YYYY-MM-DD' of the local date. */
  readonly dateKey: string;
  /** ISO-8601 week of the local date, 'YYYY-Www' (weeks start on Monday). */
  readonly isoWeekKey: string;
  /** Epoch ms of the local day's first instant and of the next local day's first instant (23 h or 25 h apart on DST days). */
  readonly startOfDayMs: number;
  readonly endOfDayMs: number;
}

const WEEKDAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

// Intl.DateTimeFormat construction costs tens of µs; one formatter per zone is reused forever.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallParts {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
}

function wallParts(epochMs: number, timeZone: string): WallParts {
  const out: WallParts = { year: 0, month: 0, day: 0, weekday: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timeZone).formatToParts(epochMs)) {
    switch (p.type) {
      case 'year': out.year = Number(p.value); break;
      case 'month': out.month = Number(p.value); break;
      case 'day': out.day = Number(p.value); break;
      case 'hour': out.hour = Number(p.value); break;
      case 'minute': out.minute = Number(p.value); break;
      case 'second': out.second = Number(p.value); break;
      case 'weekday': out.weekday = WEEKDAY_INDEX[p.value] ?? 0; break;
      default: break;
    }
  }
  return out;
}

/** Offset of the zone from UTC at an instant, in ms (local = utc + offset). */
function offsetMs(epochMs: number, timeZone: string): number {
  const p = wallParts(epochMs, timeZone);
  const wallAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wallAsUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Epoch ms of local midnight of a civil date (two-step fix-point, exact unless midnight itself is skipped by DST). */
function localMidnightMs(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const guess = wall - offsetMs(wall, timeZone);
  return wall - offsetMs(guess, timeZone);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** ISO week-year and week number of a civil date. */
export function isoWeek(year: number, month: number, day: number): { weekYear: number; week: number } {
  const t = Date.UTC(year, month - 1, day);
  const weekday = (new Date(t).getUTCDay() + 6) % 7; // Monday = 0
  const thursday = t + (3 - weekday) * 86_400_000;
  const weekYear = new Date(thursday).getUTCFullYear();
  const jan1 = Date.UTC(weekYear, 0, 1);
  return { weekYear, week: 1 + Math.floor((thursday - jan1) / (7 * 86_400_000)) };
}

/**
 * Local wall clock of `nowMs` (epoch ms) in `timeZone` (IANA), with the local day's bounds in epoch ms.
 * Throws RangeError for an unknown zone; snapshots validate zones up front with isValidTimeZone.
 */
export function localClock(nowMs: number, timeZone: string): LocalClock {
  // Every zone offset and DST switch in use sits on a quarter hour, so date, weekday, hour and day bounds
  // are constant within a 15-minute epoch bucket; Intl is consulted once per zone per bucket.
  const bucket = Math.floor(nowMs / QUARTER_HOUR_MS);
  let cached = clockCache.get(timeZone);
  if (cached === undefined || cached.bucket !== bucket) {
    cached = { bucket, offsetMs: offsetMs(bucket * QUARTER_HOUR_MS, timeZone), clock: computeClock(bucket * QUARTER_HOUR_MS, timeZone) };
    clockCache.set(timeZone, cached);
  }
  const localMs = nowMs + cached.offsetMs;
  // shape-ok: minute and second overwrite fields the cached clock has, which V8 copies fast.
  return {
    ...cached.clock,
    minute: mod(Math.floor(localMs / 60_000), 60),
    second: mod(Math.floor(localMs / 1000), 60),
  };
}

/** Every zone offset and DST switch in use sits on a quarter hour of UTC (see localClock). */
export const QUARTER_HOUR_MS = 900_000;
const clockCache = new Map<string, { bucket: number; offsetMs: number; clock: LocalClock }>();

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function computeClock(nowMs: number, timeZone: string): LocalClock {
  const p = wallParts(nowMs, timeZone);
  const startOfDayMs = localMidnightMs(p.year, p.month, p.day, timeZone);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  const endOfDayMs = localMidnightMs(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone);
  const w = isoWeek(p.year, p.month, p.day);
  return {
    year: p.year,
    month: p.month,
    day: p.day,
    weekday: p.weekday,
    hour: p.hour,
    minute: p.minute,
    second: p.second,
    dateKey: `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`,
    isoWeekKey: `${pad(w.weekYear, 4)}-W${pad(w.week)}`,
    startOfDayMs,
    endOfDayMs,
  };
}

/** Fraction of the local day elapsed at nowMs, in [0, 1); uses the real day length (23/24/25 h). */
export function dayElapsedFraction(clock: LocalClock, nowMs: number): number {
  const f = (nowMs - clock.startOfDayMs) / (clock.endOfDayMs - clock.startOfDayMs);
  return f < 0 ? 0 : f >= 1 ? 0.999_999 : f;
}
