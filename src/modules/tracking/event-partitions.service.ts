import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { dayPartition } from '../../engine/feedback/events';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE, PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { msToTs, rowsOf } from '../../platform/database/sql';
import { FeedbackSettings } from '../labels';
import { FeedbackClock } from '../../platform/feedback-clock';

const MAINTENANCE_INTERVAL_MS = 3_600_000;
const DAY_MS = 86_400_000;
const DAYS_AHEAD = 2;

/**
 * Day partitions of `events`: creates today's and the next days' ahead of need, and drops the ones
 * older than the retention (rows that fell into the default partition are deleted by date instead).
 * Runs at boot and hourly on worker processes; idempotent, so several workers may run it.
 */
@Injectable()
export class EventPartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventPartitions');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseService,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    private readonly settings: FeedbackSettings,
    private readonly clock: FeedbackClock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'api') return;
    await this.maintain().catch((error: Error) => this.logger.warn(`event partition maintenance failed: ${error.message}`));
    this.timer = setInterval(() => void this.maintain().catch((error: Error) => this.logger.warn(`event partition maintenance failed: ${error.message}`)), MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async maintain(): Promise<{ created: string[]; dropped: string[] }> {
    const nowMs = this.clock.now();
    const q = (sql: string, params: unknown[] = []) => this.database.dataSource.query(sql, params);
    const existing = new Set(
      rowsOf<{ name: string }>(
        await q(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events'`),
      ).map((r) => r.name),
    );
    const created: string[] = [];
    for (let day = 0; day <= DAYS_AHEAD; day++) {
      const part = dayPartition(nowMs + day * DAY_MS);
      const name = `events_p${part.suffix}`;
      if (existing.has(name)) continue;
      // A range that already has rows in the default partition stays there (creating it would fail).
      const inDefault = rowsOf<{ n: number }>(
        await q(`SELECT count(*)::int AS n FROM events_default WHERE decision_at >= ${msToTs('$1::float8')} AND decision_at < ${msToTs('$2::float8')}`, [part.startMs, part.endMs]),
      );
      if (inDefault[0].n > 0) continue;
      await q(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF events FOR VALUES FROM ('${new Date(part.startMs).toISOString()}') TO ('${new Date(part.endMs).toISOString()}')`);
      created.push(name);
    }
    const cutoff = dayPartition(nowMs - this.settings.retentionDays * DAY_MS);
    const dropped: string[] = [];
    for (const name of existing) {
      const match = /^events_p(\d{8})$/.exec(name);
      if (match && match[1] < cutoff.suffix) {
        await q(`DROP TABLE IF EXISTS ${name}`);
        dropped.push(name);
      }
    }
    await q(`DELETE FROM events_default WHERE decision_at < ${msToTs('$1::float8')}`, [cutoff.startMs]);
    await q(`DELETE FROM labelled_examples WHERE decision_at < ${msToTs('$1::float8')}`, [cutoff.startMs]);
    await q(`DELETE FROM stats_minute WHERE minute < ${msToTs('$1::float8')}`, [cutoff.startMs]);
    if (created.length || dropped.length) this.logger.log(`events partitions: created ${created.join(', ') || 'none'}; dropped ${dropped.join(', ') || 'none'}`);
    return { created, dropped };
  }
}
