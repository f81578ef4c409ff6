import type { QueryRunner } from 'typeorm';
import type { DatabaseService } from './database.service';

/** The part of TypeORM's Postgres query runner that hands a connection back to the pool as broken. */
interface ReleasableRunner extends QueryRunner {
  releasePostgresConnection(err?: Error): Promise<void>;
}

/**
 * At most one process at a time holds a named lease: a Postgres session advisory lock taken on a
 * connection of its own. The lock dies with its session, so a holder that stops, crashes or loses
 * its connection frees the lease and another process takes it on its next try (every retryMs).
 * The holder checks its connection on the same beat: isHeld turns false within retryMs of losing it.
 * `prepare` runs after the lock is taken and before isHeld turns true (e.g. to catch up on state the
 * previous holder left); if it fails, the lease is given up and tried again later.
 */
export class LeaderLease {
  private runner: ReleasableRunner | null = null;
  private held = false;
  private timer: NodeJS.Timeout | null = null;
  private beat: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly database: DatabaseService,
    private readonly name: string,
    private readonly retryMs: number,
    private readonly prepare: () => Promise<void> = async () => undefined,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Tries once right away (resolved when that try is done), then every retryMs. */
  start(): Promise<void> {
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.retryMs);
    this.timer.unref();
    return this.tick();
  }

  /** Gives the lease up (the session ends, so the lock goes with it). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.beat;
    await this.drop();
  }

  private tick(): Promise<void> {
    this.beat = this.beat.then(() => this.tryHold());
    return this.beat;
  }

  private async tryHold(): Promise<void> {
    if (this.stopped) return;
    try {
      if (this.runner === null) {
        const runner = this.database.dataSource.createQueryRunner() as ReleasableRunner;
        await runner.connect();
        this.runner = runner;
      }
      if (this.held) {
        await this.runner.query('SELECT 1');
        return;
      }
      const rows: { ok: boolean }[] = await this.runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [this.name]);
      if (rows[0]?.ok !== true) return;
      await this.prepare();
      this.held = true;
    } catch {
      await this.drop();
    }
  }

  private async drop(): Promise<void> {
    this.held = false;
    const runner = this.runner;
    this.runner = null;
    // Released as broken, so the pool closes the session instead of reusing it with the lock still on.
    await runner?.releasePostgresConnection(new Error(`lease ${this.name} given up`)).catch(() => undefined);
  }
}
