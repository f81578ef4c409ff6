import type { CounterCheck } from '../caps/counter-store';
import { dayElapsedFraction, type LocalClock } from '../policy/local-time';
import type { CompiledCampaign, GoalMetric } from '../policy/snapshot';

export interface PacingOptions {
  /** Allowed lead over the straight line, as a fraction (0.1 = may run 10 % ahead). */
  readonly leadFraction: number;
  /** Absolute slack as a fraction of the daily goal (at least 1 unit), so the day can start at all. */
  readonly slackFraction: number;
}

export const DEFAULT_PACING: PacingOptions = { leadFraction: 0.1, slackFraction: 0.01 };

/**
 * Even pacing: how many units of a daily goal may be delivered by now.
 * allowance(f) = min(daily, ⌊daily·f·(1 + lead) + max(1, ⌈daily·slackFraction⌉)⌋), f = fraction of the
 * local day elapsed (real day length, so DST days pace over 23/25 h). Small early in the day, reaches
 * `daily` shortly before midnight; it never exceeds `daily`.
 */
export function evenPacingAllowance(daily: number, elapsedFraction: number, options: PacingOptions = DEFAULT_PACING): number {
  const slack = Math.max(1, Math.ceil(daily * options.slackFraction));
  return Math.min(daily, Math.floor(daily * elapsedFraction * (1 + options.leadFraction) + slack));
}

export interface GoalCounterKeys {
  readonly dailyKey: string;
  readonly dailyTtlS: number;
  readonly totalKey: string;
  /** 0 = no expiry (open-ended campaign). */
  readonly totalTtlS: number;
}

/**
 * Keys counting a campaign's goal metric: `goal:{c:<id>}:<metric>:d<YYYY-MM-DD>` (local date of the
 * campaign) and `goal:{c:<id>}:<metric>:total`, hash-tagged per campaign. Impressions are counted by the
 * reserve itself (one unit per served decision); clicks and conversions must be incremented by the
 * feedback worker with these keys and TTLs.
 */
export function goalCounterKeys(campaign: CompiledCampaign, metric: GoalMetric, nowMs: number, clock: LocalClock): GoalCounterKeys {
  const base = `goal:{c:${campaign.id}}:${metric}`;
  return {
    dailyKey: `${base}:d${clock.dateKey}`,
    dailyTtlS: Math.ceil((clock.endOfDayMs - nowMs) / 1000) + 2 * 86_400,
    totalKey: `${base}:total`,
    totalTtlS: campaign.endAtMs === null ? 0 : Math.max(86_400, Math.ceil((campaign.endAtMs - nowMs) / 1000) + 30 * 86_400),
  };
}

/**
 * Goal and pacing checks of a campaign at nowMs (clock = campaign's local clock).
 * Impression goals: `reserve` checks on the served counters, so the atomic store never overshoots.
 * Click/conversion goals: `read` checks on counters the feedback worker increments; they stop delivery once
 * the counted outcomes reach the limit, but outcomes still in flight can overshoot by those few.
 * The daily check's reason is 'pacing' while the even-pacing allowance is below the daily goal, else 'goal_reached'.
 * An even total-only goal (no daily) with an end date is paced the same way over the flight [startAt, endAt).
 */
export function goalChecks(campaign: CompiledCampaign, nowMs: number, clock: LocalClock, options: PacingOptions = DEFAULT_PACING): CounterCheck[] {
  const goal = campaign.goal;
  if (goal === null) return [];
  const keys = goalCounterKeys(campaign, goal.metric, nowMs, clock);
  const op = goal.metric === 'impressions' ? 'reserve' : 'read';
  const checks: CounterCheck[] = [];
  if (goal.total !== null) {
    // Even pacing of a total-only goal spreads it over the flight [startAt, endAt) when there is an end.
    const paceFlight = goal.pacing === 'even' && goal.daily === null && campaign.endAtMs !== null && campaign.endAtMs > campaign.startAtMs;
    const limit = paceFlight
      ? evenPacingAllowance(goal.total, Math.min(1, Math.max(0, (nowMs - campaign.startAtMs) / (campaign.endAtMs! - campaign.startAtMs))), options)
      : goal.total;
    checks.push({ key: keys.totalKey, limit, op, ttlS: keys.totalTtlS, reason: limit < goal.total ? 'pacing' : 'goal_reached' });
  }
  if (goal.daily !== null) {
    const limit = goal.pacing === 'even' ? evenPacingAllowance(goal.daily, dayElapsedFraction(clock, nowMs), options) : goal.daily;
    checks.push({ key: keys.dailyKey, limit, op, ttlS: keys.dailyTtlS, reason: limit < goal.daily ? 'pacing' : 'goal_reached' });
  }
  return checks;
}

/**
 * Urgency multiplier for expected-value ranking of click/conversion goals: the share of today's goal still
 * open divided by the share of the day still left, clamped to [0.5, 2] (behind schedule → > 1).
 * 1 when there is no daily goal or no progress figure.
 */
export function goalUrgency(daily: number | null, doneToday: number | undefined, elapsedFraction: number): number {
  if (daily === null || daily <= 0 || doneToday === undefined) return 1;
  const openShare = Math.max(0, daily - doneToday) / daily;
  const timeLeftShare = Math.max(1 / 24, 1 - elapsedFraction);
  return Math.min(2, Math.max(0.5, openShare / timeLeftShare));
}
