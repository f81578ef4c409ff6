import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { eventually } from '../../support/job-driver.contract';
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
  /** Batches answered 202 with durableIn "spool": the queue did not answer and the node wrote them to disk. */
  spooledBatches = 0;
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
      const body = (await res.json()) as { accepted?: number; rejected?: unknown[]; durableIn?: string };
      if (res.status !== 202) {
        this.failedBatches++;
        return false;
      }
      if (body.durableIn === 'spool') this.spooledBatches++;
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

/** Expected answer of each link: a pixel, a redirect, or no content. */
const LINK_STATUS: Record<LoadEvent['type'], number> = { impression: 200, click: 302, conversion: 204, skip: 204 };

/**
 * Fires tracking links (GET /v1/t/:type) from several loops, as browsers and apps do: once each,
 * never retried. `answered` holds every event whose link got its expected answer; any other
 * status, and any request that failed or timed out, is counted.
 */
export class LinkLoad {
  readonly answered = new Set<string>();
  readonly statuses = new Map<number, number>();
  failures = 0;
  private loops: Promise<void>[] = [];
  private next = 0;

  constructor(
    private readonly url: string,
    private readonly events: readonly LoadEvent[],
    private readonly options: { concurrency: number; pauseMs: number },
  ) {}

  /** Answers other than 2xx and 3xx. */
  get serverErrors(): number {
    return [...this.statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
  }

  get unexpected(): number {
    return [...this.statuses].filter(([status]) => !Object.values(LINK_STATUS).includes(status)).reduce((sum, [, n]) => sum + n, 0);
  }

  start(): void {
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  finish(): Promise<void[]> {
    return Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (this.next < this.events.length) {
      const event = this.events[this.next++];
      try {
        const res = await fetch(`${this.url}/v1/t/${event.type}?t=${event.token}`, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
        if (res.status === LINK_STATUS[event.type]) this.answered.add(event.key);
      } catch {
        this.failures++;
      }
      await new Promise((r) => setTimeout(r, this.options.pauseMs));
    }
  }
}

/** Waits until the events table holds `expected`, then checks each (decision, type) is there exactly once and the live counters match it. */
export async function expectStoredExactlyOnce(db: Client, expected: ReadonlySet<string>): Promise<void> {
  await eventually(
    async () => {
      const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM events')).rows;
      return n >= expected.size ? true : null;
    },
    120_000,
    250,
  );
  const stored = (await db.query(`SELECT decision_id::text || '|' || type AS k FROM events`)).rows.map((r) => r.k as string);
  expect(stored.length).toBe(expected.size);
  expect(new Set(stored).size).toBe(stored.length); // no (decision, type) twice
  const storedSet = new Set(stored);
  const missing = [...expected].filter((k) => !storedSet.has(k));
  expect(missing).toEqual([]);
  const byType = Object.fromEntries((await db.query('SELECT type, count(*)::int AS n FROM events GROUP BY type')).rows.map((r) => [r.type, r.n]));
  const [stats] = (
    await db.query('SELECT sum(impressions)::int AS impression, sum(clicks)::int AS click, sum(conversions)::int AS conversion, sum(skips)::int AS skip FROM stats_minute')
  ).rows;
  expect(stats).toEqual({ impression: byType.impression ?? 0, click: byType.click ?? 0, conversion: byType.conversion ?? 0, skip: byType.skip ?? 0 });
}
