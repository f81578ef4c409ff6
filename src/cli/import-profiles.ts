import 'reflect-metadata';
import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config';
import { ProfileImportService } from '../modules/audiences/profile-import.service';
import { openInfrastructure } from '../platform/infrastructure';
import { JobsService } from '../platform/jobs/jobs.service';

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
      if (config.mode === 'embedded') await drainQueues(context.get(JobsService));
      return 0;
    } finally {
      await context.close();
    }
  } finally {
    await infra.close();
  }
}

/** Embedded mode has no separate worker: wait until the in-process queues have run the recompute job. */
async function drainQueues(jobs: JobsService): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const counts = Object.values(await jobs.counts());
    if (counts.every((c) => c.waiting + c.active + c.delayed === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`import failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
