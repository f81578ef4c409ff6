import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import { maintainDayPartitions } from '../../platform/database/day-partitions';
import { DayPartitionsRepository } from '../../platform/database/day-partitions.repository';
import { FeedbackClock } from '../../platform/feedback-clock';
import { APP_CONFIG, PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';

const MAINTENANCE_INTERVAL_MS = 3_600_000;
const DECISIONS = { table: 'decisions', column: 'created_at' } as const;

/**
 * Day partitions of the decision log: created ahead of need, dropped past
 * MUSICBOSS_EVENTS_RETENTION_DAYS (the log and the events it is joined with age out together).
 * Runs at boot and hourly on worker processes; idempotent.
 */
@Injectable()
export class DecisionPartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DecisionPartitions');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly partitions: DayPartitionsRepository,
    private readonly clock: FeedbackClock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'api') return;
    await this.maintain().catch((error: Error) => this.logger.warn(`decision partition maintenance failed: ${error.message}`));
    this.timer = setInterval(() => void this.maintain().catch((error: Error) => this.logger.warn(`decision partition maintenance failed: ${error.message}`)), MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async maintain(): Promise<{ created: string[]; dropped: string[] }> {
    const { created, dropped } = await maintainDayPartitions(this.partitions, DECISIONS, this.clock.now(), this.config.eventsRetentionDays);
    if (created.length || dropped.length) this.logger.log(`decisions partitions: created ${created.join(', ') || 'none'}; dropped ${dropped.join(', ') || 'none'}`);
    return { created, dropped };
  }
}
