import { randomUUID } from 'node:crypto';
import { signTrackingTokens, type TrackingClaims } from '../../../src/engine/tracking/tracking-token';

export interface LoadEvent {
  key: string;
  type: 'impression' | 'click' | 'conversion' | 'skip';
  token: string;
}

/** Events of synthetic decisions of one campaign: an impression each, some clicks, conversions and skips. */
export function makeEvents(n: number, secret: string, base: Omit<TrackingClaims, 'd' | 'u' | 'i' | 'e'>): LoadEvent[] {
  const events: LoadEvent[] = [];
  for (let i = 0; events.length < n; i++) {
    const now = Date.now();
    const claims: TrackingClaims = { ...base, d: randomUUID(), u: `listener-${i % 5000}`, i: now, e: now + 3_600_000 };
    const tokens = signTrackingTokens(claims, secret);
    const push = (type: LoadEvent['type']) => events.push({ key: `${claims.d}|${type}`, type, token: tokens[type] });
    push('impression');
    if (i % 5 === 0) push('click');
    if (i % 20 === 0) push('conversion');
    if (i % 10 === 3) push('skip');
  }
  return events.slice(0, n);
}

/**
 * Sends events in batches from several loops, like apps with a retrying uploader: a batch that did not
 * get 202 (queue down, connection refused) is sent again later; about one batch in five also carries
 * replays of already accepted events. `accepted` holds every event a 202 covered.
 */
export class EventLoad {
  readonly accepted = new Set<string>();
  sentBatches = 0;
  failedBatches = 0;
  replays = 0;
  private loops: Promise<void>[] = [];
  private readonly retry: LoadEvent[][] = [];
  private next = 0;

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly events: readonly LoadEvent[],
    private readonly options: { batchSize: number; concurrency: number; pauseMs: number },
  ) {}

  start(): void {
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  /** Resolves once every event was sent and accepted (failed batches are re-sent until they are). */
  async finish(): Promise<void> {
    await Promise.all(this.loops);
  }

  private inFlight = 0;

  private async loop(): Promise<void> {
    for (;;) {
      let batch = this.retry.shift();
      if (!batch) {
        if (this.next >= this.events.length) {
          if (this.inFlight === 0) return;
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        batch = this.events.slice(this.next, this.next + this.options.batchSize);
        this.next += batch.length;
        if (this.sentBatches % 5 === 0 && this.accepted.size > 0) {
          const done = this.events.slice(Math.max(0, this.next - 2000), this.next - batch.length).filter((e) => this.accepted.has(e.key)).slice(0, 10);
          this.replays += done.length;
          batch = [...batch, ...done];
        }
      }
      this.inFlight++;
      const ok = await this.send(batch);
      if (!ok) this.retry.push(batch);
      this.inFlight--;
      await new Promise((r) => setTimeout(r, ok ? this.options.pauseMs : 100));
    }
  }

  private async send(batch: LoadEvent[]): Promise<boolean> {
    this.sentBatches++;
    try {
      const res = await fetch(`${this.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: batch.map((e) => ({ type: e.type, token: e.token })) }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json()) as { accepted?: number; rejected?: unknown[] };
      if (res.status !== 202) {
        this.failedBatches++;
        return false;
      }
      if (body.rejected?.length) throw new Error(`valid events rejected: ${JSON.stringify(body.rejected).slice(0, 300)}`);
      for (const e of batch) this.accepted.add(e.key);
      return true;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('valid events rejected')) throw error;
      this.failedBatches++;
      return false;
    }
  }
}
