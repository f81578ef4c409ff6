import { DataSource, type EntityManager, type EntitySchema } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { ALL_MIGRATIONS } from '../../../migrations';
import { answersPing, copyFromStdin, runMigrationsLocked } from './database.repository';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import type { Transactions } from './sql';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type DatabaseEntity = Function | EntitySchema;

/** Owns the DataSource (and, in embedded mode, PGlite) so both close in the right order. */
export class DatabaseService implements Transactions {
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
    await copyFromStdin(this.dataSource, sql, text);
  }

  /** Runs `work` in a transaction; repositories take the manager it is given. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  ping(): Promise<boolean> {
    return answersPing(this.dataSource);
  }

  /** Applies pending migrations (under the migration lock when asked); returns the names of those it ran. */
  runMigrations(options: { useAdvisoryLock: boolean }): Promise<string[]> {
    return runMigrationsLocked(this.dataSource, options);
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}
