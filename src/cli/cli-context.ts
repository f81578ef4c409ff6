import 'reflect-metadata';
import { APP_PARTS } from '../composition';
import { statSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { type AppConfig, loadConfig } from '../config/config';
import { openInfrastructure } from '../platform/infrastructure';
import { JobsService } from '../platform/jobs/jobs.service';

/**
 * The app's modules without HTTP, for CLIs that run a service the API also runs. In production it is
 * an API-role context (the jobs it enqueues go to the workers); in embedded mode a worker-role one,
 * which must not run while the embedded server holds the same data directory.
 * Returns `work`'s exit code, or 2 on a configuration error.
 */
export async function withAppContext(work: (context: INestApplicationContext, config: AppConfig) => Promise<number>): Promise<number> {
  const loaded = loadConfig(process.env);
  if (loaded.kind === 'error') {
    process.stderr.write(`MusicBoss configuration error: ${loaded.message}\n`);
    return 2;
  }
  const config = loaded.config;
  const infra = await openInfrastructure(config, config.mode === 'production' ? 'api' : 'worker', APP_PARTS);
  try {
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(infra), { bufferLogs: true });
    context.useLogger(context.get(Logger));
    await context.init();
    try {
      return await work(context, config);
    } finally {
      await context.close();
    }
  } finally {
    await infra.close();
  }
}

/** Embedded mode has no separate worker: wait until the in-process queues have run what the CLI enqueued. */
export async function drainQueues(context: INestApplicationContext, timeoutMs: number): Promise<void> {
  const jobs = context.get(JobsService);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const counts = Object.values(await jobs.counts());
    if (counts.every((c) => c.waiting + c.active + c.delayed === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Size of a readable file, or null (after saying so on stderr) when it cannot be read. */
export function readableFileSize(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    process.stderr.write(`cannot read ${file}\n`);
    return null;
  }
}

/** Runs a CLI's main and exits with its code; an exception is reported as `<what> failed` and exits 1. */
export function runCli(what: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
