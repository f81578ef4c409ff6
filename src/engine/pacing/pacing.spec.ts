import { InMemoryCounterStore } from '../caps/in-memory-counter-store';
import { localClock } from '../policy/local-time';
import { compileCampaign, type Goal } from '../policy/snapshot';
import { makeCampaign } from '../../../test/support/policy-fixtures';
import { evenPacingAllowance, goalChecks, goalCounterKeys, goalUrgency } from './pacing';

const DAY0 = Date.UTC(2026, 10, 28);
const HOUR = 3_600_000;

describe('evenPacingAllowance', () => {
  it.each([
    { daily: 1000, f: 0, allowance: 10 }, // slack ⌈1 %⌉ only
    { daily: 1000, f: 0.25, allowance: 285 }, // 1000·0.25·1.1 + 10
    { daily: 1000, f: 0.5, allowance: 560 },
    { daily: 1000, f: 0.868, allowance: 964 },
    { daily: 1000, f: 0.95, allowance: 1000 }, // capped
    { daily: 50, f: 0.25, allowance: 14 }, // ⌊13.75 + 1⌋
    { daily: 7, f: 0, allowance: 1 },
  ])('daily $daily at $f of the day → $allowance', ({ daily, f, allowance }) => {
    expect(evenPacingAllowance(daily, f)).toBe(allowance);
  });

  it('honours custom lead and slack', () => {
    expect(evenPacingAllowance(1000, 0.5, { leadFraction: 0, slackFraction: 0 })).toBe(501);
    expect(evenPacingAllowance(1000, 0.5, { leadFraction: 0.2, slackFraction: 0.05 })).toBe(650);
  });
});

describe('goalChecks', () => {
  const withGoal = (goal: Goal | null, endAt: string | null = null) =>
    compileCampaign(makeCampaign('g', { goal, schedule: { startAt: '2026-01-01T00:00:00Z', endAt, timeZone: 'UTC', dayParting: null } }));

  it.each([
    {
      title: 'impressions, even: total reserve + paced daily reserve',
      goal: { metric: 'impressions', daily: 1000, total: 5000, pacing: 'even' } as Goal,
      at: DAY0 + 6 * HOUR,
      expected: [
        { key: 'goal:{c:g}:impressions:total', limit: 5000, op: 'reserve', reason: 'goal_reached' },
        { key: 'goal:{c:g}:impressions:d2026-11-28', limit: 285, op: 'reserve', reason: 'pacing' },
      ],
    },
    {
      title: 'impressions, even, late in the day: allowance reaches the goal',
      goal: { metric: 'impressions', daily: 1000, total: null, pacing: 'even' } as Goal,
      at: DAY0 + 23 * HOUR,
      expected: [{ key: 'goal:{c:g}:impressions:d2026-11-28', limit: 1000, op: 'reserve', reason: 'goal_reached' }],
    },
    {
      title: 'impressions, asap: the whole daily goal at once',
      goal: { metric: 'impressions', daily: 1000, total: null, pacing: 'asap' } as Goal,
      at: DAY0 + 1 * HOUR,
      expected: [{ key: 'goal:{c:g}:impressions:d2026-11-28', limit: 1000, op: 'reserve', reason: 'goal_reached' }],
    },
    {
      title: 'clicks: read checks on worker-fed counters',
      goal: { metric: 'clicks', daily: 100, total: 300, pacing: 'even' } as Goal,
      at: DAY0 + 12 * HOUR,
      expected: [
        { key: 'goal:{c:g}:clicks:total', limit: 300, op: 'read', reason: 'goal_reached' },
        { key: 'goal:{c:g}:clicks:d2026-11-28', limit: 56, op: 'read', reason: 'pacing' },
      ],
    },
    { title: 'no goal: no checks', goal: null, at: DAY0, expected: [] },
    {
      title: 'even total-only goal with an end date: paced over the flight',
      // flight 2026-01-01 → 2026-12-31 (364 days); 2026-11-28 00:00 is day 331: ⌊10000·331/364·1.1 + 100⌋
      goal: { metric: 'impressions', daily: null, total: 10_000, pacing: 'even' } as Goal,
      endAt: '2026-12-31T00:00:00Z',
      at: DAY0,
      expected: [{ key: 'goal:{c:g}:impressions:total', limit: 10_000, op: 'reserve', reason: 'goal_reached' }],
    },
    {
      title: 'even total-only goal, early in the flight',
      // day 91 of 364: ⌊10000·0.25·1.1 + 100⌋ = 2850
      goal: { metric: 'impressions', daily: null, total: 10_000, pacing: 'even' } as Goal,
      endAt: '2026-12-31T00:00:00Z',
      at: Date.UTC(2026, 3, 2),
      expected: [{ key: 'goal:{c:g}:impressions:total', limit: 2850, op: 'reserve', reason: 'pacing' }],
    },
    {
      title: 'even total-only goal without an end date: a plain cap',
      goal: { metric: 'impressions', daily: null, total: 10_000, pacing: 'even' } as Goal,
      at: Date.UTC(2026, 3, 2),
      expected: [{ key: 'goal:{c:g}:impressions:total', limit: 10_000, op: 'reserve', reason: 'goal_reached' }],
    },
  ])('$title', ({ goal, at, expected, endAt }: { goal: Goal | null; at: number; expected: unknown[]; endAt?: string }) => {
    const checks = goalChecks(withGoal(goal, endAt ?? null), at, localClock(at, 'UTC'));
    expect(checks.map(({ key, limit, op, reason }) => ({ key, limit, op, reason }))).toEqual(expected);
  });

  it('counter TTLs: daily lives 2 days past the day; total lives 30 days past the end, or forever', () => {
    const at = DAY0 + 12 * HOUR;
    const clock = localClock(at, 'UTC');
    expect(goalCounterKeys(withGoal(null), 'clicks', at, clock)).toEqual({
      dailyKey: 'goal:{c:g}:clicks:d2026-11-28',
      dailyTtlS: 12 * 3600 + 2 * 86_400,
      totalKey: 'goal:{c:g}:clicks:total',
      totalTtlS: 0,
    });
    expect(goalCounterKeys(withGoal(null, '2026-11-30T00:00:00Z'), 'clicks', at, clock).totalTtlS).toBe(36 * 3600 + 30 * 86_400);
  });
});

describe('pacing against a counter store on a fake clock', () => {
  // One request every 30 s all day (2880 requests) for a campaign whose daily goal is 1000 impressions.
  function simulate(pacing: 'even' | 'asap', days = 1) {
    let now = DAY0;
    const store = new InMemoryCounterStore(() => now);
    const campaign = compileCampaign(makeCampaign('g', { goal: { metric: 'impressions', daily: 1000, total: null, pacing } }));
    const servedAt = new Map<number, number>();
    let served = 0;
    for (let k = 0; k < 2880 * days; k++) {
      now = DAY0 + k * 30_000;
      if (k % 2880 === 0) served = 0;
      const out = store.reserveSync({ candidates: [{ id: 'g', checks: goalChecks(campaign, now, localClock(now, 'UTC')) }], want: 1 });
      served += out.chosenIds.length;
      servedAt.set(k, served);
    }
    return servedAt;
  }

  it.each([
    { k: 0, served: 1 },
    { k: 719, served: 284 }, // just before 06:00, allowance ⌊1000·(719/2880)·1.1 + 10⌋
    { k: 720, served: 285 },
    { k: 1440, served: 560 },
    { k: 2500, served: 964 },
    { k: 2600, served: 1000 },
    { k: 2879, served: 1000 },
  ])('even: served by request $k = $served', ({ k, served }) => {
    expect(simulate('even').get(k)).toBe(served);
  });

  it('asap: serves every request until the goal, then none; the next local day starts over', () => {
    const s = simulate('asap', 2);
    expect([s.get(998), s.get(999), s.get(1000), s.get(2879)]).toEqual([999, 1000, 1000, 1000]);
    expect([s.get(2880), s.get(2880 + 999), s.get(2880 * 2 - 1)]).toEqual([1, 1000, 1000]);
  });
});

describe('goalUrgency', () => {
  it.each([
    { daily: 100, done: 50, f: 0.5, u: 1 },
    { daily: 100, done: 10, f: 0.5, u: 1.8 },
    { daily: 100, done: 80, f: 0.5, u: 0.5 }, // 0.4 clamped up
    { daily: 100, done: 0, f: 0.9, u: 2 }, // 10 clamped down
    { daily: 100, done: 120, f: 0.2, u: 0.5 },
    { daily: null, done: 10, f: 0.5, u: 1 },
    { daily: 100, done: undefined, f: 0.5, u: 1 },
  ])('daily $daily, done $done at $f → $u', ({ daily, done, f, u }) => {
    expect(goalUrgency(daily, done, f)).toBeCloseTo(u, 12);
  });
});
