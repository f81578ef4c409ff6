import { STAT_METRICS as METRICS, type StatCounts, type StatDims, type StatRow } from '../../../engine/feedback/live-stats';
import type { GroupDimension, GroupSums, StatsRepository } from '../stats.repository';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const DIMENSION: Record<GroupDimension, (row: StatRow) => string | Date> = {
  campaign: (r) => r.campaignId,
  creative: (r) => r.creativeId,
  slot: (r) => r.slotId,
  branch: (r) => r.branch,
  arm: (r) => r.arm,
  platform: (r) => r.platform,
  hour: (r) => new Date(Math.floor(r.minuteMs / HOUR_MS) * HOUR_MS),
  day: (r) => new Date(Math.floor(r.minuteMs / DAY_MS) * DAY_MS),
  minute: (r) => new Date(r.minuteMs),
};

/**
 * StatsRepository in memory, for unit tests. Rows add up per (minute,
 * campaign, creative, slot, branch, arm, platform) as the upsert adds them; sums group and order by
 * the dimensions (time ones as Date), and without groupBy give one row whose sums are null when no
 * minute is in range (SQL's sum over no rows). Differs from the database: text dimensions order by
 * UTF-16 code unit, not the database's collation; the manager is ignored (no transaction).
 */
export class FakeStatsRepository implements Pick<StatsRepository, keyof StatsRepository> {
  private readonly rows = new Map<string, StatRow>();

  async addRows(rows: readonly StatRow[]): Promise<void> {
    for (const r of rows) {
      const key = dimsKey(r);
      const stored = this.rows.get(key);
      const counts = Object.fromEntries(METRICS.map((m) => [m, (stored?.counts[m] ?? 0) + r.counts[m]])) as StatCounts;
      this.rows.set(key, { ...dimsOf(r), counts });
    }
  }

  async sums(fromMs: number, toMs: number, groupBy: readonly GroupDimension[]): Promise<GroupSums[]> {
    const inRange = [...this.rows.values()].filter((r) => r.minuteMs >= fromMs && r.minuteMs < toMs);
    if (groupBy.length === 0) {
      const totals = Object.fromEntries(METRICS.map((m) => [m, inRange.length === 0 ? null : inRange.reduce((sum, r) => sum + r.counts[m], 0)]));
      return [totals as unknown as GroupSums];
    }
    const groups = new Map<string, { values: (string | Date)[]; sums: StatCounts }>();
    for (const r of inRange) {
      const values = groupBy.map((g) => DIMENSION[g](r));
      const key = JSON.stringify(values.map((v) => (v instanceof Date ? v.getTime() : v)));
      const group = groups.get(key) ?? { values, sums: Object.fromEntries(METRICS.map((m) => [m, 0])) as StatCounts };
      for (const m of METRICS) group.sums[m] += r.counts[m];
      groups.set(key, group);
    }
    return [...groups.values()]
      .sort((a, b) => compareValues(a.values, b.values))
      .map((g) => ({ ...Object.fromEntries(g.values.map((v, i) => [`g${i}`, v])), ...g.sums }));
  }

  async campaignTotals(): Promise<Map<string, { impressions: number; clicks: number }>> {
    const totals = new Map<string, { impressions: number; clicks: number }>();
    for (const r of this.rows.values()) {
      if (r.campaignId === '') continue;
      const t = totals.get(r.campaignId) ?? { impressions: 0, clicks: 0 };
      t.impressions += r.counts.impressions;
      t.clicks += r.counts.clicks;
      totals.set(r.campaignId, t);
    }
    return totals;
  }

  async deleteMinutesBefore(cutoffMs: number): Promise<void> {
    for (const [key, r] of this.rows) if (r.minuteMs < cutoffMs) this.rows.delete(key);
  }

  asRepository(): StatsRepository {
    return this as unknown as StatsRepository;
  }

  /** Every stored row, by minute then dimensions. */
  storedRows(): StatRow[] {
    return [...this.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }
}

function dimsOf(r: StatDims): StatDims {
  return { minuteMs: r.minuteMs, campaignId: r.campaignId, creativeId: r.creativeId, slotId: r.slotId, branch: r.branch, arm: r.arm, platform: r.platform };
}

function dimsKey(r: StatDims): string {
  return JSON.stringify([String(r.minuteMs).padStart(16, '0'), r.campaignId, r.creativeId, r.slotId, r.branch, r.arm, r.platform]);
}

function compareValues(a: readonly (string | Date)[], b: readonly (string | Date)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] instanceof Date ? (a[i] as Date).getTime() : a[i];
    const y = b[i] instanceof Date ? (b[i] as Date).getTime() : b[i];
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}
