import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../tokens';
import type { DatabaseService } from './database.service';
import { msToTs, rowsOf } from './sql';

/** A table partitioned by day on a timestamptz column, with `<table>_default` for rows outside the day partitions. */
export interface DayPartitionedTable {
  readonly table: string;
  readonly column: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * DDL and retention of day-partitioned tables (`<table>_pYYYYMMDD` and `<table>_default`). Table,
 * column and partition names are spliced into SQL, so each is checked against a plain identifier
 * pattern first.
 */
@Injectable()
export class DayPartitionsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  private query(sql: string, params: unknown[] = []): Promise<unknown> {
    return this.database.dataSource.query(sql, params);
  }

  /** Names of the partitions the table has now (the default one included). */
  async partitionNames(target: DayPartitionedTable): Promise<Set<string>> {
    const { table } = checked(target);
    return new Set(
      rowsOf<{ name: string }>(
        await this.query(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1`, [table]),
      ).map((r) => r.name),
    );
  }

  /** Rows of the default partition whose partition key is in [startMs, endMs). */
  async rowsInDefault(target: DayPartitionedTable, startMs: number, endMs: number): Promise<number> {
    const { table, column } = checked(target);
    const rows = rowsOf<{ n: number }>(
      await this.query(`SELECT count(*)::int AS n FROM ${table}_default WHERE ${column} >= ${msToTs('$1::float8')} AND ${column} < ${msToTs('$2::float8')}`, [startMs, endMs]),
    );
    return rows[0].n;
  }

  async createDayPartition(target: DayPartitionedTable, name: string, startMs: number, endMs: number): Promise<void> {
    const { table } = checked(target);
    await this.query(`CREATE TABLE IF NOT EXISTS ${identifier(name)} PARTITION OF ${table} FOR VALUES FROM ('${new Date(startMs).toISOString()}') TO ('${new Date(endMs).toISOString()}')`);
  }

  async dropPartition(name: string): Promise<void> {
    await this.query(`DROP TABLE IF EXISTS ${identifier(name)}`);
  }

  /** Retention of the rows that fell into the default partition. */
  async deleteDefaultBefore(target: DayPartitionedTable, cutoffMs: number): Promise<void> {
    const { table, column } = checked(target);
    await this.query(`DELETE FROM ${table}_default WHERE ${column} < ${msToTs('$1::float8')}`, [cutoffMs]);
  }
}

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${JSON.stringify(name)}`);
  return name;
}

function checked(target: DayPartitionedTable): DayPartitionedTable {
  return { table: identifier(target.table), column: identifier(target.column) };
}
