import 'reflect-metadata';
import { DEMO_PROFILE_COUNT } from '../modules/demo';
import { demoBanner, DemoSeedService } from '../modules/demo';
import { drainQueues, runCli, withAppContext } from './cli-context';

/**
 * `npm run seed:demo`: loads the demo data set in any mode, through the same service as the first
 * start. Idempotent: what exists (by slot key, campaign name, package key) is left as it is, and
 * profiles and listening pairs are upserts. In embedded mode it must not run while the server
 * holds the same data directory; it runs the queued jobs itself before exiting.
 */
function main(): Promise<number> {
  return withAppContext(async (context, config) => {
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
    // The recompute and training jobs the seed enqueued.
    if (config.mode === 'embedded') await drainQueues(context, 15 * 60_000);
    process.stdout.write(demoBanner(report, (config.publicBaseUrl ?? `http://localhost:${config.port}`).replace(/\/$/, '')));
    return 0;
  });
}

runCli('seed:demo', main);
