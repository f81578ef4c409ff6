import 'reflect-metadata';
import { closeOnSignals, startWorker } from './bootstrap';
import { loadConfig } from './config/config';

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (loaded.kind === 'error') {
    process.stderr.write(`MusicBoss configuration error: ${loaded.message}\n`);
    process.exit(2);
  }
  if (loaded.config.mode === 'embedded') {
    process.stderr.write('MusicBoss worker: embedded mode runs its workers inside the API process (npm start); set DATABASE_URL and REDIS_URL to run separate workers\n');
    process.exit(2);
  }
  const running = await startWorker(loaded.config);
  process.stdout.write(`MusicBoss worker started, ${running.infra.description}\n`);
  closeOnSignals(() => running.close(), loaded.config.shutdownGraceMs);
}

main().catch((error) => {
  process.stderr.write(`MusicBoss worker failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
