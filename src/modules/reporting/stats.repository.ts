import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StatCounts, StatRow } from '../../engine/feedback/live-stats';
import { DatabaseService } from '../../platform/database/database.service';
import { msToTs, rowsOf } from '../../platform/database/sql';
import { DATABASE } from '../../platform/tokens';

type Queryable = Pick<EntityManager, 'query'>;

export const GROUP_DIMENSIONS = ['campaign', 'creative', 'slot', 'branch', 'arm', 'platform', 'hour', 'day', 'minute'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

const DIMENSION_SQL: Record<GroupDimension, string> = {
  campaign: `campaign_id`,
  creative: `creative_id`,
  slot: `slot_id`,
  branch: `branch`,
  arm: `arm`,
  platform: `platform`,
  hour: `date_trunc('hour', minute, 'UTC')`,
  day: `date_trunc('day', minute, 'UTC')`,
  minute: `minute`,
};

/** Counts of stats_minute summed over a time range. */
export type StatSums = StatCounts;

/** StatSums of one group: the group's dimension values are g0, g1, … in groupBy order (time dimensions as Date). */
export type GroupSums = Record<string, unknown> & StatSums;

/** Table stats_minute (see migrations/1764360000000-events.ts): additive upserts, sums for reports, retention. */
@Injectable()
export class StatsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /**
   * Adds the rows' counts in one statement. Rows must be unique per key (StatsAccumulator.drain gives
   * that) and sorted, so concurrent writers lock rows in the same order.
   */
  async addRows(rows: readonly StatRow[], manager: Queryable = this.database.dataSource.manager): Promise<void> {
    if (rows.length === 0) return;
    const col = <T>(f: (r: StatRow) => T) => rows.map(f);
    await manager.query(
      `INSERT INTO stats_minute (minute, campaign_id, creative_id, slot_id, branch, arm, platform, requests, eligible, served, impressions, clicks, conversions, skips)
       SELECT to_timestamp(m / 1000.0), c, cr, s, b, a, p, rq, el, sv, im, cl, cv, sk
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[])
            AS t(m, c, cr, s, b, a, p, rq, el, sv, im, cl, cv, sk)
       ON CONFLICT (minute, campaign_id, creative_id, slot_id, branch, arm, platform) DO UPDATE SET
         requests = stats_minute.requests + excluded.requests,
         eligible = stats_minute.eligible + excluded.eligible,
         served = stats_minute.served + excluded.served,
         impressions = stats_minute.impressions + excluded.impressions,
         clicks = stats_minute.clicks + excluded.clicks,
         conversions = stats_minute.conversions + excluded.conversions,
         skips = stats_minute.skips + excluded.skips`,
      [
        col((r) => r.minuteMs),
        col((r) => r.campaignId),
        col((r) => r.creativeId),
        col((r) => r.slotId),
        col((r) => r.branch),
        col((r) => r.arm),
        col((r) => r.platform),
        col((r) => r.counts.requests),
        col((r) => r.counts.eligible),
        col((r) => r.counts.served),
        col((r) => r.counts.impressions),
        col((r) => r.counts.clicks),
        col((r) => r.counts.conversions),
        col((r) => r.counts.skips),
      ],
    );
  }

  /** Sums over minutes in [fromMs, toMs), one row per group of `groupBy` in group order (one row, the totals, without). */
  async sums(fromMs: number, toMs: number, groupBy: readonly GroupDimension[]): Promise<GroupSums[]> {
    const dims = groupBy.map((g, i) => `${DIMENSION_SQL[g]} AS g${i}`);
    const rows = rowsOf<Record<string, unknown>>(
      await this.database.dataSource.query(
        `SELECT ${[...dims, 'sum(requests)::float8 AS requests', 'sum(eligible)::float8 AS eligible', 'sum(served)::float8 AS served',
          'sum(impressions)::float8 AS impressions', 'sum(clicks)::float8 AS clicks', 'sum(conversions)::float8 AS conversions', 'sum(skips)::float8 AS skips'].join(', ')}
         FROM stats_minute
         WHERE minute >= ${msToTs('$1::float8')} AND minute < ${msToTs('$2::float8')}
         ${groupBy.length ? `GROUP BY ${groupBy.map((_, i) => i + 1).join(', ')} ORDER BY ${groupBy.map((_, i) => i + 1).join(', ')}` : ''}`,
        [fromMs, toMs],
      ),
    );
    return rows as GroupSums[];
  }

  /** Impressions and clicks per campaign over the whole live-stats history (cold-start scoring reads it). */
  async campaignTotals(): Promise<Map<string, { impressions: number; clicks: number }>> {
    const rows: { campaign_id: string; impressions: string; clicks: string }[] = await this.database.dataSource.query(
      `SELECT campaign_id, sum(impressions) AS impressions, sum(clicks) AS clicks FROM stats_minute WHERE campaign_id <> '' GROUP BY campaign_id`,
    );
    return new Map(rows.map((r) => [r.campaign_id, { impressions: Number(r.impressions), clicks: Number(r.clicks) }]));
  }

  /** Retention: drops the minutes before the cutoff. */
  async deleteMinutesBefore(cutoffMs: number): Promise<void> {
    await this.database.dataSource.query(`DELETE FROM stats_minute WHERE minute < ${msToTs('$1::float8')}`, [cutoffMs]);
  }
}
