import type { EntityManager } from 'typeorm';
import type { DatabaseService } from './database.service';
import { LeaderLeaseRepository, type LeaseSession } from './leader-lease.repository';

/** A write refused because the lease has passed to another process (or was never held here). */
export class LeaseLostError extends Error {
  constructor(name: string, detail: string) {
    super(`lease ${name} is not held here: ${detail}`);
  }
}

/**
 * At most one process at a time holds a named lease: a Postgres session advisory lock taken on a
 * connection of its own. The lock dies with its session, so a holder that stops, crashes or loses
 * its connection frees the lease and another process takes it on its next try (every retryMs).
 * The holder checks its connection on the same beat: isHeld turns false within retryMs of losing it.
 * `prepare` runs after the lock is taken and before isHeld turns true (e.g. to catch up on state the
 * previous holder left); if it fails, the lease is given up and tried again later.
 *
 * Until that beat, a holder whose lock session alone died still believes it holds the lease while
 * another process may already have taken it. `fence` closes that window: every new holder bumps the
 * lease's epoch (leader_leases) before `prepare`, and a transaction that calls fence first reads the
 * epoch FOR SHARE and fails unless it is still this holder's. A takeover's bump waits for fenced
 * transactions in flight, so `prepare` sees everything the previous holder committed, and the
 * previous holder commits nothing after it.
 */
export class LeaderLease {
  private readonly repository: LeaderLeaseRepository;
  private session: LeaseSession | null = null;
  private held = false;
  private timer: NodeJS.Timeout | null = null;
  private beat: Promise<void> = Promise.resolve();
  private stopped = false;
  private epoch: string | null = null;

  constructor(
    database: DatabaseService,
    private readonly name: string,
    private readonly retryMs: number,
    private readonly prepare: () => Promise<void> = async () => undefined,
  ) {
    this.repository = new LeaderLeaseRepository(database);
  }

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
      if (this.session === null) this.session = await this.repository.openSession();
      if (this.held) {
        await this.session.check();
        return;
      }
      if (!(await this.session.tryLock(this.name))) return;
      this.epoch = await this.session.bumpEpoch(this.name);
      await this.prepare();
      this.held = true;
    } catch {
      await this.drop();
    }
  }

  /**
   * Call first inside a transaction the lease protects: it fails (LeaseLostError) unless this process
   * still holds the lease, and keeps a takeover from completing until the transaction ends.
   */
  async fence(manager: EntityManager): Promise<void> {
    if (!this.held || this.epoch === null) throw new LeaseLostError(this.name, 'not held');
    const epoch = await this.repository.epochForShare(manager, this.name);
    if (epoch !== this.epoch) {
      this.held = false;
      throw new LeaseLostError(this.name, `another holder took it over (epoch ${epoch ?? 'none'}, ours ${this.epoch})`);
    }
  }

  private async drop(): Promise<void> {
    this.held = false;
    this.epoch = null;
    const session = this.session;
    this.session = null;
    await session?.end(new Error(`lease ${this.name} given up`)).catch(() => undefined);
  }
}
