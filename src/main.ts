import 'reflect-metadata';
import { closeOnSignals, startApi } from './bootstrap';
import { loadConfig } from './config/config';

async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (loaded.kind === 'error') {
    process.stderr.write(`MusicBoss configuration error: ${loaded.message}\n`);
    process.exit(2);
  }
  const config = loaded.config;
  // Embedded mode has no separate worker process: the API process consumes the queues too.
  const running = await startApi(config, config.mode === 'embedded' ? 'all' : 'api');
  process.stdout.write(`MusicBoss ${running.infra.description}\nMusicBoss API listening on ${running.url} (docs at ${running.url}/docs)\n`);
  closeOnSignals(() => running.close(), config.shutdownGraceMs);
}

main().catch((error) => {
  process.stderr.write(`MusicBoss failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
