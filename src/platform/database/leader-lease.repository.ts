import type { EntityManager, QueryRunner } from 'typeorm';
import type { DatabaseService } from './database.service';

/** The part of TypeORM's Postgres query runner that hands a connection back to the pool as broken. */
interface ReleasableRunner extends QueryRunner {
  releasePostgresConnection(err?: Error): Promise<void>;
}

/** A connection of the lease's own: the session whose advisory lock is the lease. */
export class LeaseSession {
  constructor(private readonly runner: ReleasableRunner) {}

  /** Fails when the session is gone (and its lock with it). */
  async check(): Promise<void> {
    await this.runner.query('SELECT 1');
  }

  /** Takes the lease's session advisory lock if no other session holds it. */
  async tryLock(name: string): Promise<boolean> {
    const rows: { ok: boolean }[] = await this.runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [name]);
    return rows[0]?.ok === true;
  }

  /** Starts a new epoch of the lease (1 the first time); returns it. */
  async bumpEpoch(name: string): Promise<string> {
    const bumped: { epoch: string }[] = await this.runner.query(
      `INSERT INTO leader_leases (name, epoch) VALUES ($1, 1)
       ON CONFLICT (name) DO UPDATE SET epoch = leader_leases.epoch + 1 RETURNING epoch::text AS epoch`,
      [name],
    );
    return bumped[0].epoch;
  }

  /** Released as broken, so the pool closes the session instead of reusing it with the lock still on. */
  async end(reason: Error): Promise<void> {
    await this.runner.releasePostgresConnection(reason);
  }
}

/** Table leader_leases and the sessions holding the leases' locks. */
export class LeaderLeaseRepository {
  constructor(private readonly database: DatabaseService) {}

  async openSession(): Promise<LeaseSession> {
    const runner = this.database.dataSource.createQueryRunner() as ReleasableRunner;
    await runner.connect();
    return new LeaseSession(runner);
  }

  /** The lease's current epoch, read FOR SHARE in the caller's transaction (a takeover's bump then waits for it); null if none. */
  async epochForShare(manager: EntityManager, name: string): Promise<string | null> {
    const rows: { epoch: string }[] = await manager.query('SELECT epoch::text AS epoch FROM leader_leases WHERE name = $1 FOR SHARE', [name]);
    return rows[0]?.epoch ?? null;
  }
}
