import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A private redis-server for tests that stop or restart Redis (never the shared one on 6379). */
export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing is answered, as with a hung Redis. */
  pause(): void;
  /** SIGCONT after pause(): Redis answers what it was sent meanwhile. */
  resume(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * appendOnly: AOF on. durable: AOF fsynced on every write, so a job BullMQ acknowledged survives a
 * kill -9 — what "202 = durably queued" needs from the queue's Redis.
 */
export async function startOwnRedis(options: { appendOnly?: boolean; durable?: boolean } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'musicboss-redis-'));
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.appendOnly || options.durable ? 'yes' : 'no', ...(options.durable ? ['--appendfsync', 'always'] : []), '--dir', dir], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') {
          probe.disconnect();
          return;
        }
      } catch {
        probe.disconnect();
      }
      if (Date.now() > deadline) throw new Error('own redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const current = child;
    if (!current) return;
    child = null;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill('SIGKILL');
    });
  };
  const signal = (name: NodeJS.Signals) => {
    if (!child) throw new Error('own redis-server is not running');
    (child as ChildProcess).kill(name);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop, pause: () => signal('SIGSTOP'), resume: () => signal('SIGCONT') };
}
