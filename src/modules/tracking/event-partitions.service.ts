import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { dayPartition } from '../../engine/feedback/events';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { FeedbackSettings, LabelledExamplesRepository } from '../labels';
import { FeedbackClock } from '../../platform/feedback-clock';
import { StatsRepository } from '../reporting';
import { EventPartitionsRepository } from './event-partitions.repository';

const MAINTENANCE_INTERVAL_MS = 3_600_000;
const DAY_MS = 86_400_000;
const DAYS_AHEAD = 2;

/**
 * Day partitions of `events`: creates today's and the next days' ahead of need, and drops the ones
 * older than the retention (rows that fell into the default partition are deleted by date instead).
 * Runs at boot and hourly on worker processes; idempotent, so several workers may run it.
 */
@Injectable()
export class EventPartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventPartitions');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    private readonly partitions: EventPartitionsRepository,
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
    const nowMs = this.clock.now();
    const existing = await this.partitions.partitionNames();
    const created: string[] = [];
    for (let day = 0; day <= DAYS_AHEAD; day++) {
      const part = dayPartition(nowMs + day * DAY_MS);
      const name = `events_p${part.suffix}`;
      if (existing.has(name)) continue;
      // A range that already has rows in the default partition stays there (creating it would fail).
      if ((await this.partitions.rowsInDefault(part.startMs, part.endMs)) > 0) continue;
      await this.partitions.createDayPartition(name, part.startMs, part.endMs);
      created.push(name);
    }
    const cutoff = dayPartition(nowMs - this.settings.retentionDays * DAY_MS);
    const dropped: string[] = [];
    for (const name of existing) {
      const match = /^events_p(\d{8})$/.exec(name);
      if (match && match[1] < cutoff.suffix) {
        await this.partitions.dropPartition(name);
        dropped.push(name);
      }
    }
    await this.partitions.deleteDefaultBefore(cutoff.startMs);
    await this.labelled.deleteDecidedBefore(cutoff.startMs);
    await this.stats.deleteMinutesBefore(cutoff.startMs);
    if (created.length || dropped.length) this.logger.log(`events partitions: created ${created.join(', ') || 'none'}; dropped ${dropped.join(', ') || 'none'}`);
    return { created, dropped };
  }
}
