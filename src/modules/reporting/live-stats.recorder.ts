import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { addDecision, type DecisionStatsInput, StatsAccumulator } from '../../engine/feedback/live-stats';
import { StatsRepository } from './stats.repository';

export type { DecisionStatsInput } from '../../engine/feedback/live-stats';

const FLUSH_INTERVAL_MS = 1000;

/**
 * Live `requests`, `eligible` and `served` counters of the decision path. recordDecision is
 * synchronous and allocation-light: it only adds to an in-memory accumulator, which is flushed to
 * stats_minute once a second (and on shutdown). A failed flush keeps its rows for the next one.
 */
@Injectable()
export class LiveStatsRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LiveStats');
  private acc = new StatsAccumulator();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private readonly stats: StatsRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /** Counts one decision (one request, its eligible campaigns and its served ads). Never throws, never awaits. */
  recordDecision(input: DecisionStatsInput): void {
    addDecision(this.acc, input);
  }

  /** Writes what has accumulated; concurrent callers share one flush. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.doFlush().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async doFlush(): Promise<void> {
    if (this.acc.size === 0) return;
    const rows = this.acc.drain();
    try {
      await this.stats.addRows(rows);
    } catch (error) {
      this.acc.addRows(rows);
      this.logger.warn(`live stats flush failed, keeping ${this.acc.size} rows for the next flush: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
