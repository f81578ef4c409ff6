import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DatabaseService } from '../../platform/database/database.service';
import { isPoisonError } from '../../platform/database/poison-error';
import { JobHandler } from '../../platform/jobs/job-handler.decorator';
import { JobsService } from '../../platform/jobs/jobs.service';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { DATABASE } from '../../platform/tokens';

export interface DecisionLogRow {
  decisionId: string;
  createdAtMs: number;
  userId: string;
  slotId: string;
  platform: string;
  campaignId: string;
  creativeId: string;
  branch: string;
  method: string;
  arm: string | null;
  /** The arm's probability in the allocation this node drew with (bandit branches), else null. */
  armProbability: number | null;
  fallback: string | null;
  propensity: number;
  score: number | null;
  position: number;
  explored: boolean;
  configVersion: number;
  modelVersion: string | null;
  context: Record<string, unknown>;
  features: Record<string, unknown> | null;
}

const FLUSH_INTERVAL_MS = 200;
const MAX_BATCH = 1000;
const COLUMNS = 20;

/**
 * The decision log leaves the request as queued jobs: rows are buffered in memory and enqueued in
 * batches every 200 ms, so a decision costs no extra round trip. A crash can lose at most the last
 * unflushed batch of log rows (never events, which the app reports separately). The job handler
 * inserts with ON CONFLICT DO NOTHING, so a retried batch is written once.
 */
@Injectable()
export class DecisionLog implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('DecisionLog');
  private buffer: DecisionLogRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly droppedRows: Counter;

  constructor(
    private readonly jobs: JobsService,
    @Inject(DATABASE) private readonly database: DatabaseService,
    metrics: MetricsService,
  ) {
    this.droppedRows = new Counter({ name: 'musicboss_decision_log_dropped_rows_total', help: 'Decision-log rows PostgreSQL refused on their data (each logged with its decision id)', registers: [metrics.registry] });
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  append(rows: readonly DecisionLogRow[]): void {
    for (const row of rows) this.buffer.push(row);
    if (this.buffer.length >= MAX_BATCH) void this.flush();
  }

  async flush(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, MAX_BATCH);
      try {
        await this.jobs.enqueue('decisions.log', { rows: batch });
      } catch (error) {
        // Queue unreachable: keep the rows and try again on the next tick.
        this.buffer.unshift(...batch);
        this.logger.warn(`decision log enqueue failed, ${this.buffer.length} rows buffered: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
  }

  @JobHandler('decisions.log')
  async write(payload: { rows: DecisionLogRow[] }): Promise<void> {
    const rows = payload.rows;
    if (rows.length === 0) return;
    try {
      await this.insert(rows);
    } catch (error) {
      if (!isPoisonError(error)) throw error;
      // One row PostgreSQL refuses on its data must not cost the batch's other rows: retried row by
      // row, the refused ones are dropped, counted and logged. ON CONFLICT makes this idempotent if
      // an outage interrupts it and the job is retried.
      this.logger.warn(`decision-log batch of ${rows.length} rows failed on data (${(error as Error).message}); writing them one by one`);
      for (const row of rows) {
        try {
          await this.insert([row]);
        } catch (rowError) {
          if (!isPoisonError(rowError)) throw rowError;
          this.droppedRows.inc();
          this.logger.error(`decision-log row of decision ${row.decisionId} dropped: ${(rowError as Error).message}`);
        }
      }
    }
  }

  private async insert(rows: readonly DecisionLogRow[]): Promise<void> {
    // One array per column and one unnest: PostgreSQL parses and plans 20 parameters instead of
    // 20 per row (a 1,000-row batch had 20,000), which made the log's inserts cost more CPU in
    // PostgreSQL than the decisions cost Redis.
    const columns: unknown[][] = Array.from({ length: COLUMNS }, () => new Array(rows.length));
    rows.forEach((r, i) => {
      const values = [
        r.decisionId, new Date(r.createdAtMs).toISOString(), r.userId, r.slotId, r.platform, r.campaignId, r.creativeId, r.branch, r.method, r.arm, r.fallback,
        r.propensity, r.score, r.position, r.explored, r.configVersion, r.modelVersion, JSON.stringify(r.context), r.features ? JSON.stringify(r.features) : null,
        r.armProbability ?? null,
      ];
      for (let j = 0; j < COLUMNS; j++) columns[j][i] = values[j];
    });
    await this.database.dataSource.query(
      `INSERT INTO decisions (decision_id, created_at, user_id, slot_id, platform, campaign_id, creative_id, branch, method, arm, fallback,
         propensity, score, position, explored, config_version, model_version, context, features, arm_probability)
       SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::uuid[], $5::text[], $6::uuid[], $7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[],
         $12::float8[], $13::float8[], $14::int[], $15::boolean[], $16::bigint[], $17::text[], $18::jsonb[], $19::jsonb[], $20::float8[])
       ON CONFLICT DO NOTHING`,
      columns,
    );
  }
}
