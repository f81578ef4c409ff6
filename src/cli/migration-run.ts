import 'reflect-metadata';
import { APP_PARTS } from '../composition';
import { loadConfig } from '../config/config';
import { DatabaseService } from '../platform/database/database.service';

/** `npm run migration:run`: applies pending migrations and exits (boot also does this). */
async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (loaded.kind === 'error') {
    process.stderr.write(`MusicBoss configuration error: ${loaded.message}\n`);
    process.exit(2);
  }
  const database = await DatabaseService.open(loaded.config, { runMigrations: false, entities: APP_PARTS.entities });
  try {
    const ran = await database.runMigrations({ useAdvisoryLock: loaded.config.mode === 'production' });
    process.stdout.write(ran.length ? `applied ${ran.length} migration(s): ${ran.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await database.close();
  }
}

main().catch((error) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
