import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, type EntitySchema, type EntityTarget, type ObjectLiteral, type Repository } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { ALL_MIGRATIONS } from '../../../migrations';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

// Any 64-bit constant works; it only has to be the same on every replica so that
// concurrent boots run migrations one at a time.
const MIGRATION_LOCK_ID = 7_246_001;

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type DatabaseEntity = Function | EntitySchema;

/** Owns the DataSource (and, in embedded mode, PGlite) so both close in the right order. */
export class DatabaseService {
  private constructor(
    readonly dataSource: DataSource,
    private readonly embedded: EmbeddedPostgres | null,
    readonly location: string,
  ) {}

  /** `entities`: the TypeORM entities of every module (the composition root gathers them). */
  static async open(config: AppConfig, options: { runMigrations: boolean; entities: readonly DatabaseEntity[] }): Promise<DatabaseService> {
    const embedded = config.mode === 'embedded' ? await startEmbeddedPostgres(config.dataDir) : null;
    const url = embedded ? embedded.url : config.databaseUrl!;
    const dataSource = new DataSource({
      type: 'postgres',
      url,
      entities: [...options.entities],
      migrations: ALL_MIGRATIONS,
      migrationsTableName: 'migrations',
      synchronize: false,
      logging: false,
      // PGlite serves one session; a bigger pool would just queue inside the socket server.
      extra: embedded ? { max: 1 } : { max: 10, connectionTimeoutMillis: 5000 },
    });
    try {
      await dataSource.initialize();
      if (options.runMigrations) await runMigrationsLocked(dataSource, { useAdvisoryLock: !embedded });
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
      throw error;
    }
    return new DatabaseService(dataSource, embedded, embedded ? embedded.dataPath : url);
  }

  /** PGlite's socket server does not speak COPY's sub-protocol (it drops the connection), so embedded mode cannot COPY. */
  get supportsCopyFrom(): boolean {
    return this.embedded === null;
  }

  /**
   * Runs `COPY … FROM STDIN` with `text` as its data, on a connection of its own from the pool.
   * Resolves once PostgreSQL has committed the rows; rejects with PostgreSQL's error (the whole
   * COPY is then rolled back).
   */
  async copyFrom(sql: string, text: string): Promise<void> {
    if (!this.supportsCopyFrom) throw new Error('COPY FROM STDIN is not available in embedded mode');
    const runner = this.dataSource.createQueryRunner();
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

  repository<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.dataSource.getRepository(entity);
  }

  async ping(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
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
