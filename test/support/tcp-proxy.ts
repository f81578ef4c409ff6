import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy a test controls, to take a server away from the nodes that use it without touching
 * the machine's shared server (PostgreSQL): point the nodes at the proxy, then cut it.
 */
export interface TcpProxy {
  readonly port: number;
  /** The same URL with host and port of the proxy. */
  url(target: string): string;
  /**
   * refuse: every connection is reset, now and until restore() (the server is down);
   * blackhole: connections stay open and nothing is answered (the server hangs).
   */
  cut(mode: 'refuse' | 'blackhole'): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: 'pass' | 'refuse' | 'blackhole' = 'pass';
  const pairs = new Set<{ client: Socket; upstream: Socket | null }>();
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const pair = { client, upstream: null as Socket | null };
    pairs.add(pair);
    client.once('close', () => {
      pairs.delete(pair);
      pair.upstream?.destroy();
    });
    if (mode === 'blackhole') return;
    const upstream = createConnection({ host: targetHost, port: targetPort });
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dropAll = () => {
    for (const pair of pairs) {
      pair.upstream?.destroy();
      pair.client.resetAndDestroy();
    }
    pairs.clear();
  };
  return {
    port,
    url(target: string) {
      const url = new URL(target);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    cut(next) {
      mode = next;
      if (next === 'refuse') dropAll();
      else {
        // Open connections stop carrying anything, in either direction.
        for (const pair of pairs) {
          if (!pair.upstream) continue;
          pair.client.unpipe(pair.upstream);
          pair.upstream.unpipe(pair.client);
          pair.client.pause();
          pair.upstream.pause();
        }
      }
    },
    restore() {
      if (mode === 'blackhole') dropAll();
      mode = 'pass';
    },
    async close() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
