// The SQL DatabaseService runs for itself and for callers that need more than a query: COPY's
// sub-protocol, the liveness probe and the migration lock.
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';

// Any 64-bit constant works; it only has to be the same on every replica so that
// concurrent boots run migrations one at a time.
const MIGRATION_LOCK_ID = 7_246_001;

/** `COPY … FROM STDIN` with `text` as its data, on a connection of its own from the pool (see DatabaseService.copyFrom). */
export async function copyFromStdin(dataSource: DataSource, sql: string, text: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    await new Promise<void>((resolve, reject) => {
      const stream = client.query(copyFrom(sql));
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(text);
    });
  } finally {
    await runner.release();
  }
}

/** True when the database answers a trivial query. */
export async function answersPing(dataSource: DataSource): Promise<boolean> {
  try {
    await dataSource.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/** Runs pending migrations under a Postgres advisory lock so that replicas booting together don't race. */
export async function runMigrationsLocked(dataSource: DataSource, options: { useAdvisoryLock: boolean }): Promise<string[]> {
  // Embedded mode has one process and a one-connection pool: holding a lock connection would deadlock.
  if (!options.useAdvisoryLock) return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      return ran.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}
