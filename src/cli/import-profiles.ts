import 'reflect-metadata';
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { ProfileImportService } from '../modules/audiences';
import { drainQueues, readableFileSize, runCli, withAppContext } from './cli-context';

const USAGE = 'usage: npm run import:profiles -- FILE   (.ndjson/.jsonl = NDJSON, .csv = CSV with a header; --format=csv|ndjson overrides)';

/**
 * `npm run import:profiles -- FILE`: the same import as POST /v1/profiles/import, through the
 * same service, without HTTP. In production it runs as an API-role context (the recompute job
 * it enqueues goes to the workers); in embedded mode it runs the job itself before exiting,
 * and must not run while the embedded server holds the same data directory.
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const formatArg = args.find((a) => a.startsWith('--format='))?.slice('--format='.length);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const format = formatArg ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'ndjson');
  if (format !== 'csv' && format !== 'ndjson') {
    process.stderr.write(`unknown --format=${format}; ${USAGE}\n`);
    return 2;
  }
  const bytes = readableFileSize(file);
  if (bytes === null) return 2;
  return withAppContext(async (context, config) => {
    const started = Date.now();
    const result = await context.get(ProfileImportService).importStream(createReadStream(file), format, { limitBytes: Number.MAX_SAFE_INTEGER });
    if (result.kind !== 'ok') {
      process.stderr.write(`import failed: ${'message' in result ? result.message : JSON.stringify(result)}\n`);
      return 1;
    }
    const r = result.value;
    process.stdout.write(
      `imported ${file} (${format}, ${bytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${r.inserted} inserted, ${r.updated} updated, ${r.rejected} rejected, revision ${r.revision}\n`,
    );
    for (const p of r.problems) process.stdout.write(`  line ${p.line}: ${p.message}\n`);
    if (r.rejected > r.problems.length) process.stdout.write(`  … and ${r.rejected - r.problems.length} more\n`);
    if (r.ignoredFields.length > 0) process.stdout.write(`  ignored columns: ${r.ignoredFields.join(', ')}\n`);
    if (config.mode === 'embedded') await drainQueues(context, 10 * 60_000);
    return 0;
  });
}

runCli('import', main);
