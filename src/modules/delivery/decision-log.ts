import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { isPoisonError } from '../../platform/database/poison-error';
import { JobHandler } from '../../platform/jobs/job-handler.decorator';
import { JobsService } from '../../platform/jobs/jobs.service';
import { MetricsService } from '../../platform/metrics/metrics.service';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../platform/tokens';
import { decodeDecisionLogLines, encodeDecisionLogLines } from './decision-log-copy';
import { DecisionLogRepository } from './decision-log.repository';

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

/** What a decisions.log job carries: COPY text lines, or (queued by a node from before COPY) row objects. */
export type DecisionLogBatch = { copy: string } | { rows: DecisionLogRow[] };

/**
 * The decision log leaves the request as queued jobs: each decision's rows are encoded as COPY text
 * lines when it is made, and enqueued in batches every 200 ms, so a decision costs no extra round
 * trip. A crash can lose at most the last unflushed batch of log rows (never events, which the app
 * reports separately). While the queue is unreachable, rows wait in memory up to
 * MUSICBOSS_DECISION_LOG_BUFFER_BYTES, past which the oldest are dropped and counted.
 * The worker COPYs a batch in one statement, which PostgreSQL runs with about 40% less CPU than the
 * same rows through INSERT … ON CONFLICT. COPY has no ON CONFLICT, so a batch it refuses (a retry of
 * one that landed, or a row PostgreSQL cannot store) is written again with ON CONFLICT DO NOTHING,
 * then row by row: each row is stored once.
 */
@Injectable()
export class DecisionLog implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('DecisionLog');
  /** Each decision's lines, and how many rows each holds. */
  private chunks: string[] = [];
  private chunkRows: number[] = [];
  private bufferedRows = 0;
  /** Characters of text buffered (a byte each for ASCII, which most of a row is). */
  private bufferedChars = 0;
  private isOverflowing = false;
  private readonly overflowRows: Counter;
  private timer: NodeJS.Timeout | null = null;
  private readonly droppedRows: Counter;
  private readonly batches: Counter<'path'>;

  constructor(
    private readonly jobs: JobsService,
    private readonly repository: DecisionLogRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.overflowRows = new Counter({
      name: 'musicboss_decision_log_overflow_rows_total',
      help: 'Decision-log rows an API node dropped, oldest first, because the queue stayed unreachable past its buffer (MUSICBOSS_DECISION_LOG_BUFFER_BYTES)',
      registers: [metrics.registry],
    });
    this.droppedRows = new Counter({ name: 'musicboss_decision_log_dropped_rows_total', help: 'Decision-log rows PostgreSQL refused on their data (each logged with its decision id)', registers: [metrics.registry] });
    this.batches = new Counter({
      name: 'musicboss_decision_log_batches_total',
      help: 'Decision-log batches written, by how: copy (one COPY), insert (INSERT … ON CONFLICT: embedded mode, or a batch COPY refused), rows (one by one, after the batch was refused on its data)',
      labelNames: ['path'],
      registers: [metrics.registry],
    });
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
    if (rows.length === 0) return;
    const text = encodeDecisionLogLines(rows);
    this.chunks.push(text);
    this.chunkRows.push(rows.length);
    this.bufferedRows += rows.length;
    this.bufferedChars += text.length;
    if (this.bufferedChars > this.config.decisionLogBufferBytes) this.dropOldest();
    if (this.bufferedRows >= MAX_BATCH) void this.flush();
  }

  /** Rows waiting to be enqueued on this node. */
  get pendingRows(): number {
    return this.bufferedRows;
  }

  /**
   * Over the buffer (the queue has been unreachable for a while): the oldest decisions' rows go,
   * keeping the newest, so the node keeps serving instead of running out of memory.
   */
  private dropOldest(): void {
    let take = 0;
    let rows = 0;
    let chars = 0;
    while (take < this.chunks.length - 1 && this.bufferedChars - chars > this.config.decisionLogBufferBytes) {
      chars += this.chunks[take].length;
      rows += this.chunkRows[take++];
    }
    if (take === 0) return;
    this.chunks.splice(0, take);
    this.chunkRows.splice(0, take);
    this.bufferedRows -= rows;
    this.bufferedChars -= chars;
    this.overflowRows.inc(rows);
    if (!this.isOverflowing) {
      this.isOverflowing = true;
      this.logger.error(`decision-log buffer over ${this.config.decisionLogBufferBytes} bytes while the queue is unreachable: dropping the oldest rows (musicboss_decision_log_overflow_rows_total)`);
    }
  }

  async flush(): Promise<void> {
    while (this.chunks.length > 0) {
      let take = 0;
      let rows = 0;
      while (take < this.chunks.length && (take === 0 || rows + this.chunkRows[take] <= MAX_BATCH)) rows += this.chunkRows[take++];
      const chunks = this.chunks.splice(0, take);
      const chunkRows = this.chunkRows.splice(0, take);
      const copy = chunks.join('');
      this.bufferedRows -= rows;
      this.bufferedChars -= copy.length;
      try {
        await this.jobs.enqueue('decisions.log', { copy });
        this.isOverflowing = false;
      } catch (error) {
        // Queue unreachable: keep the rows and try again on the next tick.
        this.chunks.unshift(...chunks);
        this.chunkRows.unshift(...chunkRows);
        this.bufferedRows += rows;
        this.bufferedChars += copy.length;
        if (this.bufferedChars > this.config.decisionLogBufferBytes) this.dropOldest();
        this.logger.warn(`decision log enqueue failed, ${this.bufferedRows} rows buffered: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
    }
  }

  @JobHandler('decisions.log')
  async write(payload: DecisionLogBatch): Promise<void> {
    const text = 'copy' in payload ? payload.copy : encodeDecisionLogLines(payload.rows);
    if (text === '') return;
    let copyRefusal: string | null = null;
    if (this.repository.supportsCopy) {
      try {
        await this.repository.copy(text);
        this.batches.inc({ path: 'copy' });
        return;
      } catch (error) {
        if (!isPoisonError(error)) throw error;
        copyRefusal = (error as Error).message;
      }
    }
    const rows = decodeDecisionLogLines(text);
    if (copyRefusal !== null) this.logger.warn(`decision-log COPY of ${rows.length} rows refused (${copyRefusal}); writing them with ON CONFLICT`);
    try {
      await this.repository.insert(rows);
      this.batches.inc({ path: 'insert' });
      return;
    } catch (error) {
      if (!isPoisonError(error)) throw error;
    }
    // One row PostgreSQL refuses on its data must not cost the batch's other rows: retried row by
    // row, the refused ones are dropped, counted and logged. ON CONFLICT makes this idempotent if
    // an outage interrupts it and the job is retried.
    this.logger.warn(`decision-log batch of ${rows.length} rows refused on data; writing them one by one`);
    for (const fields of rows) {
      try {
        await this.repository.insert([fields]);
      } catch (rowError) {
        if (!isPoisonError(rowError)) throw rowError;
        this.droppedRows.inc();
        this.logger.error(`decision-log row of decision ${fields[0]} dropped: ${(rowError as Error).message}`);
      }
    }
    this.batches.inc({ path: 'rows' });
  }
}
