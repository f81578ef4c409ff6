import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { BanditAllocations } from '../delivery';
import { BanditRepository } from './bandit.repository';
import { LearningSettings } from './learning-settings';

/** On API nodes: copies bandit_current into BanditAllocations on a short poll (one small query; a swap). */
@Injectable()
export class BanditSyncService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BanditSync');
  private timer: NodeJS.Timeout | null = null;
  private signature = '';
  private running: Promise<void> | null = null;

  constructor(
    private readonly bandits: BanditRepository,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    private readonly allocations: BanditAllocations,
    private readonly settings: LearningSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'worker') return;
    await this.sync().catch((error: Error) => this.logger.warn(`bandit allocations not loaded yet: ${error.message}`));
    this.timer = setInterval(() => void this.sync().catch((error: Error) => this.logger.warn(`bandit sync failed: ${error.message}`)), this.settings.banditPollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  sync(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      const rows = await this.bandits.currentAllocations();
      const signature = rows.map((r) => `${r.branchKey}=${r.allocationId}`).join('|');
      if (signature === this.signature) return;
      this.allocations.replace(new Map(rows.map((r) => [r.branchKey, r.weights])));
      this.signature = signature;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
