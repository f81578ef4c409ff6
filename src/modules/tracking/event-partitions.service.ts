import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DayPartitionsRepository } from '../../platform/database/day-partitions.repository';
import { maintainDayPartitions } from '../../platform/database/day-partitions';
import { FeedbackClock } from '../../platform/feedback-clock';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { FeedbackSettings, LabelledExamplesRepository } from '../labels';
import { StatsRepository } from '../reporting';

const MAINTENANCE_INTERVAL_MS = 3_600_000;
const EVENTS = { table: 'events', column: 'decision_at' } as const;

/**
 * Retention of what the feedback loop stores: the day partitions of `events` (created ahead of need,
 * dropped past MUSICBOSS_EVENTS_RETENTION_DAYS), and by the same cutoff the labelled examples and
 * live-stat minutes derived from them. Runs at boot and hourly on worker processes; idempotent.
 */
@Injectable()
export class EventPartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventPartitions');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    private readonly partitions: DayPartitionsRepository,
    private readonly labelled: LabelledExamplesRepository,
    private readonly stats: StatsRepository,
    private readonly settings: FeedbackSettings,
    private readonly clock: FeedbackClock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'api') return;
    await this.maintain().catch((error: Error) => this.logger.warn(`event partition maintenance failed: ${error.message}`));
    this.timer = setInterval(() => void this.maintain().catch((error: Error) => this.logger.warn(`event partition maintenance failed: ${error.message}`)), MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async maintain(): Promise<{ created: string[]; dropped: string[] }> {
    const { created, dropped, cutoffMs } = await maintainDayPartitions(this.partitions, EVENTS, this.clock.now(), this.settings.retentionDays);
    await this.labelled.deleteDecidedBefore(cutoffMs);
    await this.stats.deleteMinutesBefore(cutoffMs);
    if (created.length || dropped.length) this.logger.log(`events partitions: created ${created.join(', ') || 'none'}; dropped ${dropped.join(', ') || 'none'}`);
    return { created, dropped };
  }
}
