/**
 * An open-loop load generator: request i is due at start + i / rate whatever happened to the
 * earlier ones, and its latency runs from when it was due, not from when it was sent. A closed
 * loop (a fixed number of connections, each waiting for its answer) sends less while the server
 * is slow and so never sees the queue it would have built (coordinated omission); this one does.
 */
import { Agent, request } from 'node:http';

export interface OpenLoopOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: () => string;
  readonly ratePerS: number;
  readonly durationS: number;
  /** A request not answered within this counts as an error. */
  readonly timeoutMs?: number;
}

export interface OpenLoopResult {
  readonly sent: number;
  readonly errors: number;
  /** From the due time of each answered request to its last byte. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Requests answered per second of the run. */
  readonly answeredPerS: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const url = new URL(options.url);
  const total = Math.max(1, Math.round(options.ratePerS * options.durationS));
  const intervalMs = 1000 / options.ratePerS;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Enough sockets that the generator never makes a due request wait for a free one.
  const agent = new Agent({ keepAlive: true, maxSockets: 2048 });
  const latencies = new Float64Array(total);
  let answered = 0;
  let errors = 0;
  let settled = 0;
  let next = 0;
  const startMs = performance.now() + 20;

  await new Promise<void>((resolve) => {
    const finish = () => {
      if (++settled === total) resolve();
    };
    const fire = (dueMs: number) => {
      const body = options.body();
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { ...options.headers, 'content-length': Buffer.byteLength(body) },
          timeout: timeoutMs,
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (res.statusCode === 200) latencies[answered++] = performance.now() - dueMs;
            else errors++;
            finish();
          });
          res.on('error', () => {
            errors++;
            finish();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        finish();
      });
      req.end(body);
    };
    const tick = () => {
      const nowMs = performance.now();
      while (next < total && startMs + next * intervalMs <= nowMs) fire(startMs + next++ * intervalMs);
      // Timers have a resolution of about a millisecond; a request sent late counts its lateness.
      if (next < total) setTimeout(tick, Math.max(0, Math.floor(startMs + next * intervalMs - performance.now())));
    };
    setTimeout(tick, 20);
  });
  const elapsedS = (performance.now() - startMs) / 1000;
  agent.destroy();
  const sorted = latencies.subarray(0, answered).sort();
  return { sent: total, errors, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted[sorted.length - 1] ?? Number.NaN, answeredPerS: answered / elapsedS };
}
