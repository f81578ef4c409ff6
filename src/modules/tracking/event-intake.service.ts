import { Inject, Injectable } from '@nestjs/common';
import { claimsProblem, type EventType, type FeedbackEvent, isEventType, occurredAt } from '../../engine/feedback/events';
import { verifyTrackingToken } from '../../engine/tracking/tracking-token';
import { JobsService } from '../../platform/jobs/jobs.service';
import { TRACKING_SECRET } from '../../platform/tokens';
import { FeedbackClock } from '../../platform/feedback-clock';

export const MAX_EVENTS_PER_BATCH = 500;

export type VerifiedEvent = { kind: 'ok'; event: FeedbackEvent } | { kind: 'rejected'; status: 400 | 410; error: string };

export interface BatchItemError {
  index: number;
  status: 400 | 410;
  error: string;
}

export interface BatchResult {
  accepted: number;
  rejected: BatchItemError[];
}

/**
 * The request path of tracking: verify the signed token, then enqueue. Nothing else happens here;
 * persistence, counters, suppression and labels are the feedback worker's.
 */
@Injectable()
export class EventIntakeService {
  constructor(
    private readonly jobs: JobsService,
    private readonly clock: FeedbackClock,
    @Inject(TRACKING_SECRET) private readonly secret: string,
  ) {}

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
    const claims = verified.claims;
    return {
      kind: 'ok',
      event: { type: type as EventType, claims, occurredAtMs: occurredAt(atMs as number | undefined, claims.i, receivedAtMs), receivedAtMs, source },
    };
  }

  /** One link hit: verified, then queued. Resolves once durably queued; throws if the queue is unreachable. */
  async acceptLink(type: string, token: unknown): Promise<VerifiedEvent> {
    const verified = this.verify(type, token, undefined, 'link', this.clock.now());
    if (verified.kind === 'ok') await this.jobs.enqueue('feedback.events', { events: [verified.event] });
    return verified;
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
    if (events.length > 0) await this.jobs.enqueue('feedback.events', { events });
    return { accepted: events.length, rejected };
  }
}
