import { Inject, Injectable } from '@nestjs/common';
import { RoaringBitmap32 } from 'roaring';
import type { CounterStore } from '../../engine/caps/counter-store';
import { DEFAULT_PACING, evenPacingAllowance, goalCounterKeys } from '../../engine/pacing/pacing';
import { dayElapsedFraction, localClock } from '../../engine/policy/local-time';
import type { AudienceExpr } from '../../engine/policy/snapshot';
import { COUNTER_STORE } from '../../platform/counters/counters.provider';
import { AudienceMembershipService } from '../audiences';
import { ListenerIndexService } from '../audiences';
import { SnapshotService } from '../snapshot';
import { FeedbackClock } from '../../platform/feedback-clock';
import { type GroupDimension, type StatSums, StatsRepository } from './stats.repository';

export { GROUP_DIMENSIONS, type GroupDimension } from './stats.repository';
export const REPORT_METRICS = ['requests', 'eligible', 'served', 'impressions', 'clicks', 'ctr', 'conversions', 'cvr', 'skips'] as const;
export type ReportMetric = (typeof REPORT_METRICS)[number];

const DIMENSION_FIELD: Record<GroupDimension, string> = {
  campaign: 'campaignId',
  creative: 'creativeId',
  slot: 'slotId',
  branch: 'branch',
  arm: 'arm',
  platform: 'platform',
  hour: 'hour',
  day: 'day',
  minute: 'minute',
};

const TIME_DIMENSIONS = new Set<GroupDimension>(['hour', 'day', 'minute']);

export type ReportRow = Record<string, string | number | null>;

export interface DeliveryReport {
  from: string;
  to: string;
  groupBy: GroupDimension[];
  metrics: ReportMetric[];
  rows: ReportRow[];
  totals: Record<string, number | null>;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? Math.round((numerator / denominator) * 1e6) / 1e6 : null;
}

function metricValues(s: StatSums, metrics: readonly ReportMetric[]): Record<string, number | null> {
  const all: Record<ReportMetric, number | null> = { ...s, ctr: ratio(s.clicks, s.impressions), cvr: ratio(s.conversions, s.clicks) };
  return Object.fromEntries(metrics.map((m) => [m, all[m]]));
}

/**
 * Reads the live counters (stats_minute: decision-path counts flushed every second, event counts
 * written with the events themselves), so reports lag reality by about a second plus queue time.
 * CTR = clicks / impressions, CVR = conversions / clicks; null when the denominator is 0.
 * Requests are counted per slot/branch/arm/platform and carry no campaign (campaignId null).
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly stats: StatsRepository,
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    private readonly snapshots: SnapshotService,
    private readonly membership: AudienceMembershipService,
    private readonly listeners: ListenerIndexService,
    private readonly clock: FeedbackClock,
  ) {}

  async delivery(fromMs: number, toMs: number, groupBy: readonly GroupDimension[], metrics: readonly ReportMetric[]): Promise<DeliveryReport> {
    const campaigns = this.snapshots.current().snapshot.campaignsById;
    const slots = this.snapshots.current().snapshot.slotsById;
    const rows = (await this.stats.sums(fromMs, toMs, groupBy)).map((r) => {
      const out: ReportRow = {};
      groupBy.forEach((g, i) => {
        const value = r[`g${i}`];
        if (TIME_DIMENSIONS.has(g)) out[DIMENSION_FIELD[g]] = value instanceof Date ? value.toISOString() : String(value);
        else out[DIMENSION_FIELD[g]] = value === '' ? null : (value as string);
        if (g === 'campaign') out.campaignName = campaigns.get(value as string)?.name ?? null;
        if (g === 'slot') out.slotKey = slots.get(value as string)?.key ?? null;
      });
      return { ...out, ...metricValues(r, metrics) };
    });
    const [total] = await this.stats.sums(fromMs, toMs, []);
    const zero: StatSums = { requests: 0, eligible: 0, served: 0, impressions: 0, clicks: 0, conversions: 0, skips: 0 };
    const totals = metricValues(
      Object.fromEntries(Object.keys(zero).map((k) => [k, Number((total as unknown as Record<string, unknown>)?.[k] ?? 0)])) as unknown as StatSums,
      metrics,
    );
    return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), groupBy: [...groupBy], metrics: [...metrics], rows, totals };
  }

  /** Per campaign: audience size → eligible requests → served → impressions → clicks over [from, to). */
  async funnel(fromMs: number, toMs: number) {
    const snapshot = this.snapshots.current().snapshot;
    const sums = new Map((await this.stats.sums(fromMs, toMs, ['campaign'])).map((r) => [r.g0 as string, r]));
    const audiences = this.audienceSizes();
    return {
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      campaigns: [...snapshot.campaignsById.values()].map((c) => {
        const s = sums.get(c.id);
        return {
          campaignId: c.id,
          name: c.name,
          status: c.status,
          audienceSize: audiences.get(c.id) ?? 0,
          eligibleRequests: Number(s?.eligible ?? 0),
          served: Number(s?.served ?? 0),
          impressions: Number(s?.impressions ?? 0),
          clicks: Number(s?.clicks ?? 0),
          ctr: ratio(Number(s?.clicks ?? 0), Number(s?.impressions ?? 0)),
        };
      }),
    };
  }

  /** Listeners (with a profile on this node) in the union of the audiences of the branches that hold each campaign. */
  private audienceSizes(): Map<string, number> {
    const snapshot = this.snapshots.current().snapshot;
    const members = this.membership.current();
    const everyone = new RoaringBitmap32();
    everyone.addRange(0, this.listeners.size);
    const evaluate = (expr: AudienceExpr): RoaringBitmap32 => {
      if (expr === 'everyone') return everyone.clone();
      if ('package' in expr) {
        const bitmap = members.bitmapOf(expr.package);
        return bitmap ? new RoaringBitmap32(bitmap) : new RoaringBitmap32();
      }
      if ('and' in expr) return expr.and.map(evaluate).reduce((a, b) => RoaringBitmap32.and(a, b), everyone.clone());
      if ('or' in expr) return RoaringBitmap32.orMany(expr.or.map(evaluate));
      return RoaringBitmap32.andNot(everyone, evaluate(expr.not));
    };
    const byCampaign = new Map<string, RoaringBitmap32>();
    for (const policy of snapshot.policiesBySlotId.values()) {
      for (const branch of policy.branches) {
        const audience = evaluate(branch.audience);
        for (const id of branch.campaignIds) {
          const current = byCampaign.get(id);
          byCampaign.set(id, current ? RoaringBitmap32.or(current, audience) : audience);
        }
      }
    }
    return new Map([...byCampaign].map(([id, bitmap]) => [id, bitmap.size]));
  }

  /** Each campaign with a goal: done today and in total (the counters the decision path checks) against the goal and, for even pacing, the allowance by now. */
  async pacing() {
    const nowMs = this.clock.now();
    const campaigns = [...this.snapshots.current().snapshot.campaignsById.values()].filter((c) => c.goal !== null);
    const keys = campaigns.map((c) => goalCounterKeys(c, c.goal!.metric, nowMs, localClock(nowMs, c.schedule.timeZone)));
    const values = await this.counters.get(keys.flatMap((k) => [k.dailyKey, k.totalKey]));
    return {
      at: new Date(nowMs).toISOString(),
      campaigns: campaigns.map((c, i) => {
        const goal = c.goal!;
        const doneToday = values[2 * i] ?? 0;
        const doneTotal = values[2 * i + 1] ?? 0;
        const fraction = dayElapsedFraction(localClock(nowMs, c.schedule.timeZone), nowMs);
        const allowedByNow = goal.daily === null ? null : goal.pacing === 'even' ? evenPacingAllowance(goal.daily, fraction, DEFAULT_PACING) : goal.daily;
        const expectedByNow = goal.daily === null ? null : goal.pacing === 'even' ? Math.round(goal.daily * fraction) : goal.daily;
        let status: 'goal_reached' | 'ahead' | 'on_track' | 'behind';
        if ((goal.total !== null && doneTotal >= goal.total) || (goal.daily !== null && doneToday >= goal.daily)) status = 'goal_reached';
        else if (expectedByNow === null || goal.pacing === 'asap') status = 'on_track';
        else if (doneToday > expectedByNow * 1.1 + 1) status = 'ahead';
        else if (doneToday < expectedByNow * 0.9 - 1) status = 'behind';
        else status = 'on_track';
        return {
          campaignId: c.id,
          name: c.name,
          metric: goal.metric,
          pacing: goal.pacing,
          daily: goal.daily,
          total: goal.total,
          doneToday,
          doneTotal,
          dayElapsedFraction: Math.round(fraction * 1e4) / 1e4,
          expectedByNow,
          allowedByNow,
          status,
        };
      }),
    };
  }

  /** Per-minute impressions, clicks and CTR over the last `minutes`, one series per campaign or per branch. */
  async live(minutes: number, by: 'campaign' | 'branch') {
    const toMs = Math.floor(this.clock.now() / 60_000) * 60_000 + 60_000;
    const fromMs = toMs - minutes * 60_000;
    const rows = await this.stats.sums(fromMs, toMs, [by, 'minute']);
    const names = this.snapshots.current().snapshot.campaignsById;
    const series = new Map<string, { key: string; name: string; points: { t: number; impressions: number; clicks: number; ctr: number | null }[] }>();
    for (const r of rows) {
      const key = r.g0 as string;
      if (key === '' ) continue;
      const t = (r.g1 as Date).getTime();
      let s = series.get(key);
      if (!s) {
        s = { key, name: by === 'campaign' ? (names.get(key)?.name ?? key) : key, points: [] };
        series.set(key, s);
      }
      if (r.impressions === 0 && r.clicks === 0) continue;
      s.points.push({ t, impressions: r.impressions, clicks: r.clicks, ctr: ratio(r.clicks, r.impressions) });
    }
    return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), bucketMs: 60_000, by, series: [...series.values()].filter((s) => s.points.length > 0) };
  }
}
