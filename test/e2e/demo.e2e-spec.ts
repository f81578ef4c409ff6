import { DemoSeedService } from '../../src/modules/demo/demo-seed.service';
import { DEMO_PROFILE_COUNT, demoUserKey } from '../../src/modules/demo/demo-data';
import { eventually } from '../support/job-driver.contract';
import { expectOk } from '../support/seed-ads';
import { http, startEmbeddedApp, type TestApp } from '../support/test-app';

describe('demo data on a first start (embedded, MUSICBOSS_DEMO=true)', () => {
  let app: TestApp;
  let client: string;
  const sql = <T = any>(text: string, params: unknown[] = []): Promise<T[]> => app.api.infra.database.dataSource.query(text, params);

  beforeAll(async () => {
    app = await startEmbeddedApp({ MUSICBOSS_DEMO: 'true' });
    client = (await expectOk(http(app.url, 'POST', '/v1/api-keys', { key: app.adminKey, body: { name: 'test app', role: 'slot-client' } }))).key;
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('answers a demo decision on the printed slot', async () => {
    const body = await eventually(async () => {
      const r = await http(app.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'phone-desktop-banner', userId: 'u-000042', platform: 'ios', context: { hour: 21, genre: 'mandopop' } } });
      return r.status === 200 && r.body.ads.length > 0 ? r.body : null;
    });
    expect(body.slotKey).toBe('phone-desktop-banner');
    expect(body.ads[0].trackingUrls.impression).toContain('/v1/t/impression?t=');
  });

  it('imports the listeners in the background after the API is up (stopped early by the shutdown)', async () => {
    // The full 100k import takes ~30-45 s on a loaded 2-core machine; here it is enough that valid batches land.
    const n = await eventually(async () => {
      const [{ n }] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM listener_profiles');
      return n >= 5_000 ? n : null;
    }, 60_000, 200);
    expect(n % 5_000 === 0 || n === DEMO_PROFILE_COUNT).toBe(true);
    const [first] = await sql<{ user_key: string; attributes: Record<string, unknown> }>('SELECT user_key, attributes FROM listener_profiles ORDER BY user_idx LIMIT 1');
    expect(first.user_key).toBe(demoUserKey(0));
    expect(first.attributes).toEqual(expect.objectContaining({ genres: expect.any(Array), vipLevel: expect.stringMatching(/^[0-7]$/), platform: expect.any(String) }));
    // The rest of the import would only slow the configuration checks below down.
    await app.api.app.get(DemoSeedService).stopBackground();
  }, 90_000);

  it('has slots of every format, the six ads active, the packages, five policies and a demo app key', async () => {
    const slots = await sql<{ format: string }>('SELECT format FROM slots ORDER BY format');
    expect(slots.map((s) => s.format)).toEqual(['audio', 'banner', 'feed', 'popup', 'splash']);
    const campaigns = await sql<{ name: string; status: string }>('SELECT name, status FROM campaigns ORDER BY name');
    expect(campaigns.map((c) => c.name.slice(0, 2))).toEqual(['A:', 'B:', 'C:', 'D:', 'E:', 'F:']);
    expect(new Set(campaigns.map((c) => c.status))).toEqual(new Set(['active']));
    const packages = (await expectOk(http(app.url, 'GET', '/v1/packages', { key: app.adminKey }))) as any;
    const keys = (Array.isArray(packages) ? packages : packages.items).map((p: { key: string }) => p.key).sort();
    expect(keys).toEqual(['heavy-listeners', 'kpop-fans', 'paid-users', 'vip-2024', 'vip-not-paid']);
    expect((await sql('SELECT slot_id FROM delivery_policies')).length).toBe(5);
    const demoKeys = (await expectOk(http(app.url, 'GET', '/v1/api-keys', { key: app.adminKey }))) as any;
    expect((Array.isArray(demoKeys) ? demoKeys : demoKeys.items).filter((k: { name: string; role: string }) => k.name === 'demo app' && k.role === 'slot-client')).toHaveLength(1);
  });

  it('leaves a non-empty install alone: seeding again creates nothing new', async () => {
    const seed = app.api.app.get(DemoSeedService);
    expect(await seed.isEmptyInstall()).toBe(false);
    const again = await seed.seedConfiguration();
    expect(again).toEqual({ created: { slots: 0, campaigns: 0, packages: 0, policies: 0 }, slotKey: 'phone-desktop-banner', demoKey: null });
  });
});
