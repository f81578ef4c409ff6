import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config';
import { DEMO_PROFILE_COUNT } from '../modules/demo/demo-data';
import { demoBanner, DemoSeedService } from '../modules/demo/demo-seed.service';
import { openInfrastructure } from '../platform/infrastructure';
import { JobsService } from '../platform/jobs/jobs.service';

/**
 * `npm run seed:demo`: loads the demo data set in any mode, through the same service as the first
 * start. Idempotent: what exists (by slot key, campaign name, package key) is left as it is, and
 * profiles and listening pairs are upserts. In embedded mode it must not run while the server
 * holds the same data directory; it runs the queued jobs itself before exiting.
 */
async function main(): Promise<number> {
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
      const seed = context.get(DemoSeedService);
      // A first-start seeding of this very context (MUSICBOSS_DEMO=true on an empty database) would race ours.
      await seed.stopBackground();
      const started = Date.now();
      const report = await seed.seedConfiguration();
      process.stdout.write(
        `seed:demo configuration in ${((Date.now() - started) / 1000).toFixed(1)} s: created ${report.created.slots} slots, ${report.created.campaigns} campaigns, ${report.created.packages} packages, ${report.created.policies} policies\n`,
      );
      const profiles = await seed.seedProfiles(DEMO_PROFILE_COUNT);
      process.stdout.write(
        `seed:demo listeners in ${(profiles.elapsedMs / 1000).toFixed(1)} s: ${profiles.inserted} new, ${profiles.updated} updated, ${profiles.paidUsers} paid users, ${profiles.plays} listening pairs\n`,
      );
      if (config.mode === 'embedded') await drainQueues(context.get(JobsService));
      process.stdout.write(demoBanner(report, (config.publicBaseUrl ?? `http://localhost:${config.port}`).replace(/\/$/, '')));
      return 0;
    } finally {
      await context.close();
    }
  } finally {
    await infra.close();
  }
}

/** Embedded mode has no separate worker: wait until the in-process queues have run the recompute and training jobs. */
async function drainQueues(jobs: JobsService): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    const counts = Object.values(await jobs.counts());
    if (counts.every((c) => c.waiting + c.active + c.delayed === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`seed:demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
