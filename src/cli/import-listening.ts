import 'reflect-metadata';
import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config';
import { ListeningImportService } from '../modules/listening/listening-import.service';
import { openInfrastructure } from '../platform/infrastructure';

const USAGE =
  'usage: node dist/src/cli/import-listening.js [--items] [--mode=replace|add] [--format=tsv|ndjson] FILE\n' +
  '  plays: Last.fm user<TAB>item<TAB>plays (.dat/.tsv/.txt) or NDJSON {userId,itemId,plays} (.ndjson/.jsonl)\n' +
  '  --items: item metadata instead, NDJSON {itemId,name,genre,language} or item<TAB>name[<TAB>genre<TAB>language]\n' +
  '  (after npm run build; tsx cannot run it: Nest needs the decorator metadata tsc emits)';

/**
 * The same import as POST /v1/listening/import (or /v1/listening/items), through the same
 * service, without HTTP. In embedded mode it must not run while the server holds the data directory.
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const isItems = args.includes('--items');
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const format = option('format') ?? (['.ndjson', '.jsonl', '.json'].includes(extname(file).toLowerCase()) ? 'ndjson' : 'tsv');
  const mode = option('mode') ?? 'replace';
  if ((format !== 'tsv' && format !== 'ndjson') || (mode !== 'replace' && mode !== 'add')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch {
    process.stderr.write(`cannot read ${file}\n`);
    return 2;
  }
  const loaded = loadConfig(process.env);
  if (loaded.kind === 'error') {
    process.stderr.write(`MusicBoss configuration error: ${loaded.message}\n`);
    return 2;
  }
  const config = loaded.config;
  const infra = await openInfrastructure(config, config.mode === 'production' ? 'api' : 'worker');
  try {
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(infra), { bufferLogs: true });
    context.useLogger(context.get(Logger));
    await context.init();
    try {
      const started = Date.now();
      const service = context.get(ListeningImportService);
      const options = { format: format as 'tsv' | 'ndjson', limitBytes: Number.MAX_SAFE_INTEGER };
      const r = isItems ? await service.importItems(createReadStream(file), options) : await service.importPlays(createReadStream(file), { ...options, mode: mode as 'replace' | 'add' });
      process.stdout.write(
        `imported ${file} (${isItems ? 'items' : 'plays'}, ${format}, ${bytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${r.accepted} accepted, ${r.rejected} rejected, ${r.users} listeners, ${r.items} items\n`,
      );
      for (const p of r.problems) process.stdout.write(`  line ${p.line}: ${p.message}\n`);
      if (r.rejected > r.problems.length) process.stdout.write(`  … and ${r.rejected - r.problems.length} more\n`);
      return 0;
    } finally {
      await context.close();
    }
  } finally {
    await infra.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`import failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
