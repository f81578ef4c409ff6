import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { DatabaseService } from '../../platform/database/database.service';
import { LeaderLease, LeaseLostError } from '../../platform/database/leader-lease';
import { APP_CONFIG, DATABASE, PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';

const LEASE_NAME = 'musicboss:label-sweeper-and-ftrl';
const RETRY_MS = 2000;

/**
 * Which worker closes attribution windows and trains the FTRL model. Labelled examples reach the
 * learner in the process that swept them, and an FTRL learner must see every example, in one
 * sequence, to publish versions that descend from each other. So one worker at a time does both;
 * the others stand by and take over within seconds when it stops. Embedded mode has one process.
 */
@Injectable()
export class LearningLease implements OnApplicationBootstrap, OnApplicationShutdown {
  private lease: LeaderLease | null = null;
  private readonly preparations: (() => Promise<void>)[] = [];

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseService,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** True while this process is the one that sweeps labels and trains. */
  get isHeld(): boolean {
    if (this.role === 'api') return false;
    return this.config.mode === 'embedded' ? true : (this.lease?.isHeld ?? false);
  }

  /**
   * First statement of every transaction that only the holder may commit (label sweeps, FTRL
   * versions): fails unless this process still holds the lease. Embedded mode has one process.
   */
  async fence(manager: EntityManager): Promise<void> {
    if (this.role === 'api') throw new LeaseLostError(LEASE_NAME, 'API processes never hold it');
    if (this.config.mode === 'embedded') return;
    if (!this.lease) throw new LeaseLostError(LEASE_NAME, 'not started');
    await this.lease.fence(manager);
  }

  /**
   * Work to finish each time this process takes the lease, before its sweeper hands it any example
   * (the FTRL trainer catches up on the versions the previous holder published). Register in a constructor.
   */
  beforeHolding(preparation: () => Promise<void>): void {
    this.preparations.push(preparation);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'api' || this.config.mode === 'embedded') return;
    this.lease = new LeaderLease(this.database, LEASE_NAME, RETRY_MS, async () => {
      for (const preparation of this.preparations) await preparation();
    });
    await this.lease.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lease?.stop();
  }
}
