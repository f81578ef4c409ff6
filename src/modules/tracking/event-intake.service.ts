import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { claimsProblem, type EventType, type FeedbackEvent, isEventType, occurredAt } from '../../engine/feedback/events';
import { verifyTrackingToken } from '../../engine/tracking/tracking-token';
import { type Durability, SpooledJobs } from '../../platform/jobs/spooled-jobs.service';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { TRACKING_SECRET } from '../../platform/tokens';
import { FeedbackClock } from '../../platform/feedback-clock';

export const MAX_EVENTS_PER_BATCH = 500;
const DROP_LOG_INTERVAL_MS = 10_000;

export type VerifiedEvent = { kind: 'ok'; event: FeedbackEvent } | { kind: 'rejected'; status: 400 | 410; error: string };

export interface BatchItemError {
  index: number;
  status: 400 | 410;
  error: string;
}

export interface BatchResult {
  accepted: number;
  rejected: BatchItemError[];
  /** Where the accepted events are durable: the queue, or this node's disk spool (forwarded to the queue when Redis answers); null if none was accepted. */
  durableIn: Durability | null;
}

/** A link hit: verified, and where its event went ('dropped' when neither the queue nor the full spool took it). */
export type LinkResult = VerifiedEvent & { durableIn?: Durability | 'dropped' };

/**
 * The request path of tracking: verify the signed token, then make the event durable: queued, or
 * spooled to disk while the queue's Redis does not answer. Nothing else happens here;
 * persistence, counters, suppression and labels are the feedback worker's.
 */
@Injectable()
export class EventIntakeService {
  private readonly logger = new Logger('EventIntake');
  private readonly accepted: Counter<'source' | 'durable_in'>;
  private readonly dropped: Counter<'type'>;
  private readonly legacyTokens: Counter<'type'>;
  private lastDropLogMs = 0;
  private dropsSinceLog = 0;

  constructor(
    private readonly intake: SpooledJobs,
    private readonly clock: FeedbackClock,
    @Inject(TRACKING_SECRET) private readonly secret: string,
    metrics: MetricsService,
  ) {
    this.accepted = new Counter({
      name: 'musicboss_events_accepted_total',
      help: 'Tracking events accepted, by source (link, batch) and where they were made durable (queue, spool)',
      labelNames: ['source', 'durable_in'],
      registers: [metrics.registry],
    });
    this.dropped = new Counter({
      name: 'musicboss_events_dropped_total',
      help: 'Link events answered but lost: the queue did not answer and the spool was full or could not be written',
      labelNames: ['type'],
      registers: [metrics.registry],
    });
    this.legacyTokens = new Counter({
      name: 'musicboss_tracking_legacy_tokens_total',
      help: 'Events accepted with a token of a format from before type binding (valid for any link until it expires)',
      labelNames: ['type'],
      registers: [metrics.registry],
    });
  }

  verify(type: unknown, token: unknown, atMs: unknown, source: FeedbackEvent['source'], receivedAtMs: number): VerifiedEvent {
    if (!isEventType(type)) return { kind: 'rejected', status: 400, error: 'type must be one of impression, click, conversion, skip' };
    if (typeof token !== 'string' || token.length === 0) return { kind: 'rejected', status: 400, error: 'token is required' };
    if (atMs !== undefined && (typeof atMs !== 'number' || !Number.isFinite(atMs))) return { kind: 'rejected', status: 400, error: 'at must be epoch milliseconds' };
    const verified = verifyTrackingToken(token, type, this.secret, receivedAtMs);
    switch (verified.kind) {
      case 'malformed':
        return { kind: 'rejected', status: 400, error: `malformed token: ${verified.reason}` };
      case 'forged':
        return { kind: 'rejected', status: 400, error: 'token signature does not match' };
      case 'wrong_type':
        return { kind: 'rejected', status: 400, error: `token is the ${verified.issuedFor} link's, it cannot report a ${type}` };
      case 'expired':
        return { kind: 'rejected', status: 410, error: `link expired at ${new Date(verified.expiredAtMs).toISOString()}` };
    }
    const problem = claimsProblem(verified.claims);
    if (problem) return { kind: 'rejected', status: 400, error: `token claims: ${problem}` };
    if (verified.legacy) this.legacyTokens.inc({ type });
    const claims = verified.claims;
    return {
      kind: 'ok',
      event: { type: type as EventType, claims, occurredAtMs: occurredAt(atMs as number | undefined, claims.i, receivedAtMs), receivedAtMs, source },
    };
  }

  /**
   * One link hit: verified, then queued or spooled. Never throws for the queue: a link must answer
   * (a browser does not retry a pixel or a click), so an event neither could take is dropped and counted.
   */
  async acceptLink(type: string, token: unknown): Promise<LinkResult> {
    const verified = this.verify(type, token, undefined, 'link', this.clock.now());
    if (verified.kind !== 'ok') return verified;
    try {
      const durableIn = await this.intake.enqueue('feedback.events', { events: [verified.event], intakeId: randomUUID() });
      this.accepted.inc({ source: 'link', durable_in: durableIn });
      return { ...verified, durableIn };
    } catch (error) {
      this.dropped.inc({ type: verified.event.type });
      this.logDrop(error);
      return { ...verified, durableIn: 'dropped' };
    }
  }

  /** One line per DROP_LOG_INTERVAL_MS at most: while the spool is full every link hit drops its event. */
  private logDrop(error: unknown): void {
    this.dropsSinceLog++;
    const nowMs = Date.now();
    if (nowMs - this.lastDropLogMs < DROP_LOG_INTERVAL_MS) return;
    this.logger.error(`${this.dropsSinceLog} link event(s) dropped (musicboss_events_dropped_total): ${error instanceof Error ? error.message : String(error)}`);
    this.lastDropLogMs = nowMs;
    this.dropsSinceLog = 0;
  }

  /** A batch from the app: good events are queued together (one job), bad ones are reported by index. */
  async acceptBatch(items: readonly unknown[]): Promise<BatchResult> {
    const receivedAtMs = this.clock.now();
    const events: FeedbackEvent[] = [];
    const rejected: BatchItemError[] = [];
    items.forEach((item, index) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        rejected.push({ index, status: 400, error: 'each event must be an object {type, token, at?}' });
        return;
      }
      const { type, token, at, ...rest } = item as Record<string, unknown>;
      const unknown = Object.keys(rest);
      if (unknown.length > 0) {
        rejected.push({ index, status: 400, error: `unknown field(s): ${unknown.join(', ')}` });
        return;
      }
      const verified = this.verify(type, token, at, 'batch', receivedAtMs);
      if (verified.kind === 'ok') events.push(verified.event);
      else rejected.push({ index, status: verified.status, error: verified.error });
    });
    if (events.length === 0) return { accepted: 0, rejected, durableIn: null };
    // Throws NotDurableError when neither the queue nor the spool took them: the app sends the batch again.
    const durableIn = await this.intake.enqueue('feedback.events', { events, intakeId: randomUUID() });
    this.accepted.inc({ source: 'batch', durable_in: durableIn }, events.length);
    return { accepted: events.length, rejected, durableIn };
  }
}
