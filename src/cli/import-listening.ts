import 'reflect-metadata';
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { ListeningImportService } from '../modules/listening';
import { readableFileSize, runCli, withAppContext } from './cli-context';

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
  const bytes = readableFileSize(file);
  if (bytes === null) return 2;
  return withAppContext(async (context) => {
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
  });
}

runCli('import', main);
