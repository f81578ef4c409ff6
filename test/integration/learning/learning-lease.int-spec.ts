import type { RunningWorker } from '../../../src/bootstrap';
import { FeedbackSettings } from '../../../src/modules/labels/feedback-settings';
import { LearningLease } from '../../../src/modules/labels/learning-lease.service';
import { FtrlTrainerService } from '../../../src/modules/learning/ftrl-trainer.service';
import { LearningSettings } from '../../../src/modules/learning/learning-settings';
import { eventually } from '../../support/job-driver.contract';
import { terminateLeaseLockSession } from '../../support/lease-lock';
import { expectOk } from '../../support/seed-ads';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';

describe('two workers in production mode: one sweeps labels and trains FTRL, the other takes over', () => {
  let prod: ProductionTestEnv;
  let api: TestApp;
  const workers: RunningWorker[] = [];
  let client: string;
  let viewer: string;
  let operator: string;
  let user = 0;
  const pathOf = (url: string) => `${new URL(url).pathname}${new URL(url).search}`;
  const sql = <T = any>(text: string, params: unknown[] = []): Promise<T[]> => api.api.infra.database.dataSource.query(text, params);
  const holders = () => workers.filter((w) => w.context.get(LearningLease).isHeld);
  const labelled = async () => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM labelled_examples'))[0].n;
  const examplesSeen = async (): Promise<number> => {
    const res = await http(api.url, 'GET', '/v1/models/ftrl-main', { key: viewer });
    return res.status === 404 ? 0 : res.body.metrics.examplesSeen;
  };

  /** Decisions with an impression each and a click on every third. */
  const serve = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const ad = (await expectOk(http(api.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'lease-feed', userId: `u-${++user}`, platform: 'ios' } }))).ads[0];
      expect((await http(api.url, 'GET', pathOf(ad.trackingUrls.impression))).status).toBe(200);
      if (user % 3 === 0) expect((await http(api.url, 'GET', pathOf(ad.trackingUrls.click))).status).toBe(302);
    }
  };

  beforeAll(async () => {
    prod = await createProductionEnv({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    api = await startProductionApp(prod, 'api');
    for (let i = 0; i < 2; i++) {
      const worker = await startProductionWorker(prod);
      Object.assign(worker.context.get(LearningSettings), { ftrlPublishIntervalMs: 300 });
      worker.context.get(FeedbackSettings).attributionWindowMs = 1000;
      workers.push(worker);
    }
    const keyOf = async (role: string) => (await expectOk(http(api.url, 'POST', '/v1/api-keys', { key: prod.adminKey, body: { name: role, role } }))).key;
    client = await keyOf('slot-client');
    viewer = await keyOf('viewer');
    operator = await keyOf('operator');
    await expectOk(http(api.url, 'POST', '/v1/slots', { key: prod.adminKey, body: { key: 'lease-feed', name: 'Lease feed', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 1 } }));
    const c = await expectOk(
      http(api.url, 'POST', '/v1/campaigns', {
        key: prod.adminKey,
        body: { name: 'Album', category: 'digital_album', priority: 10, platforms: ['ios'], slots: ['lease-feed'], schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' } },
      }),
    );
    await expectOk(http(api.url, 'POST', `/v1/campaigns/${c.id}/creatives`, { key: prod.adminKey, body: { type: 'text', formats: ['feed'], title: 'Album', landingUrl: 'https://x.example.com' } }));
    await expectOk(http(api.url, 'POST', `/v1/campaigns/${c.id}/status`, { key: prod.adminKey, headers: { 'if-match': '"1"' }, body: { status: 'active' } }));
    await expectOk(http(api.url, 'PUT', '/v1/slots/lease-feed/policy', { key: prod.adminKey, body: { branches: [{ name: 'all', audience: 'everyone', campaignIds: [c.id], method: 'priority' }] } }));
    await eventually(async () => ((await http(api.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'lease-feed', userId: 'warm', platform: 'ios' } })).body.ads?.length === 1 ? true : null));
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    for (const w of workers) await w.close();
    await prod?.drop();
  });

  it('exactly one worker holds the lease; its model learns from every labelled example', async () => {
    expect(holders()).toHaveLength(1);
    await serve(30);
    await eventually(async () => ((await labelled()) === 30 ? true : null), 30_000);
    await eventually(async () => ((await examplesSeen()) === 30 ? true : null), 30_000);
    expect(holders()).toHaveLength(1);
  }, 90_000);

  it('when the holder stops, the other takes over: the published model, then what the holder swept after publishing it', async () => {
    const [leader] = holders();
    const standby = workers.find((w) => w !== leader)!;
    // The holder sweeps ten more labels but publishes no version with them before it stops.
    Object.assign(leader.context.get(LearningSettings), { ftrlPublishIntervalMs: 600_000 });
    await new Promise((r) => setTimeout(r, 600));
    await serve(10);
    await eventually(async () => ((await labelled()) === 40 ? true : null), 30_000);
    expect(await examplesSeen()).toBe(30);
    await leader.close();
    workers.splice(workers.indexOf(leader), 1);
    await eventually(async () => (standby.context.get(LearningLease).isHeld ? true : null), 15_000);
    await eventually(async () => ((await examplesSeen()) === 40 ? true : null), 30_000);
    await serve(10);
    await eventually(async () => ((await labelled()) === 50 ? true : null), 30_000);
    await eventually(async () => ((await examplesSeen()) === 50 ? true : null), 30_000);
  }, 90_000);

  it('a holder whose lock session dies gives the lease up; one worker holds it again and learning goes on', async () => {
    const fresh = await startProductionWorker(prod);
    Object.assign(fresh.context.get(LearningSettings), { ftrlPublishIntervalMs: 300 });
    fresh.context.get(FeedbackSettings).attributionWindowMs = 1000;
    workers.push(fresh);
    const [before] = holders();
    const killed = await terminateLeaseLockSession(sql, 'musicboss:label-sweeper-and-ftrl');
    expect(killed.map((k) => k.ok)).toEqual([true]);
    await eventually(async () => (before.context.get(LearningLease).isHeld ? null : true), 15_000, 100);
    await eventually(async () => (holders().length === 1 ? true : null), 15_000);
    await serve(10);
    await eventually(async () => ((await labelled()) === 60 ? true : null), 30_000);
    await eventually(async () => ((await examplesSeen()) === 60 ? true : null), 30_000);
    expect(holders()).toHaveLength(1);
  }, 90_000);
  it('after a rollback, a worker taking the lease over does not learn again the examples the rollback discarded', async () => {
    const model = async () => expectOk(http(api.url, 'GET', '/v1/models/ftrl-main', { key: viewer }));
    const [holder] = holders();
    const standby = workers.find((w) => w !== holder)!;
    // Two versions apart: the holder publishes one, learns ten more and publishes again.
    Object.assign(holder.context.get(LearningSettings), { ftrlPublishIntervalMs: 600_000 });
    await new Promise((r) => setTimeout(r, 600));
    const trainer = holder.context.get(FtrlTrainerService);
    const learnedInMemory = (n: number) => eventually(async () => (trainer.metrics().examplesSeen === n ? true : null), 30_000);
    await serve(5);
    await learnedInMemory(65);
    const older = await trainer.publishNow();
    await serve(10);
    await learnedInMemory(75);
    expect(await trainer.publishNow()).toBe(older! + 1);
    expect(await examplesSeen()).toBe(75);
    const rolled = await expectOk(http(api.url, 'POST', '/v1/models/ftrl-main/rollback', { key: operator }));
    expect(rolled.version).toBe(older);
    expect(await examplesSeen()).toBe(65);
    await holder.close();
    workers.splice(workers.indexOf(holder), 1);
    await eventually(async () => (standby.context.get(LearningLease).isHeld ? true : null), 15_000);
    // Replaying after the active version's cursor would learn the ten again and publish 75.
    await new Promise((r) => setTimeout(r, 1500));
    expect([(await model()).activeVersion, await examplesSeen()]).toEqual([older, 65]);
    await serve(5);
    await eventually(async () => ((await examplesSeen()) === 70 ? true : null), 30_000);
  }, 90_000);
});
