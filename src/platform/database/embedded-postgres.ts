import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  readonly url: string;
  readonly dataPath: string;
  stop(): Promise<void>;
}

/**
 * Runs PGlite in-process and serves it on a loopback port, so embedded mode uses the same `pg`
 * driver and TypeORM code path as production. One connection only: PGlite is single-session.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dataPath = join(dataDir, 'pg');
  mkdirSync(dataPath, { recursive: true });
  const db = await PGlite.create({ dataDir: dataPath });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    url: `postgresql://postgres@${host}:${port}/postgres`,
    dataPath,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
