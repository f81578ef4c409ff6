import { Inject, Injectable } from '@nestjs/common';
import { DatabaseService } from '../../platform/database/database.service';
import { msToTs, rowsOf } from '../../platform/database/sql';
import { DATABASE } from '../../platform/tokens';

/** The partitions of table events: the day partitions events_pYYYYMMDD and events_default. */
@Injectable()
export class EventPartitionsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  private query(sql: string, params: unknown[] = []): Promise<unknown> {
    return this.database.dataSource.query(sql, params);
  }

  /** Names of the partitions events has now (the default one included). */
  async partitionNames(): Promise<Set<string>> {
    return new Set(
      rowsOf<{ name: string }>(
        await this.query(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'events'`),
      ).map((r) => r.name),
    );
  }

  /** Rows of the default partition whose decision time is in [startMs, endMs). */
  async rowsInDefault(startMs: number, endMs: number): Promise<number> {
    const rows = rowsOf<{ n: number }>(
      await this.query(`SELECT count(*)::int AS n FROM events_default WHERE decision_at >= ${msToTs('$1::float8')} AND decision_at < ${msToTs('$2::float8')}`, [startMs, endMs]),
    );
    return rows[0].n;
  }

  /** `name` must be a generated partition name (it is spliced into the DDL). */
  async createDayPartition(name: string, startMs: number, endMs: number): Promise<void> {
    await this.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF events FOR VALUES FROM ('${new Date(startMs).toISOString()}') TO ('${new Date(endMs).toISOString()}')`);
  }

  /** `name` must be an existing partition's name (it is spliced into the DDL). */
  async dropPartition(name: string): Promise<void> {
    await this.query(`DROP TABLE IF EXISTS ${name}`);
  }

  /** Retention of the rows that fell into the default partition. */
  async deleteDefaultBefore(cutoffMs: number): Promise<void> {
    await this.query(`DELETE FROM events_default WHERE decision_at < ${msToTs('$1::float8')}`, [cutoffMs]);
  }
}
