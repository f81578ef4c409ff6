import { SnapshotService } from '../../src/modules/snapshot/snapshot.service';
import { createSeedAds, createUploadPackage, expectOk, threePolicies, type SeededAds } from '../support/seed-ads';
import { http, startEmbeddedApp, type TestApp } from '../support/test-app';

const schedule = { startAt: '2026-01-01T00:00:00Z', endAt: '2026-12-31T00:00:00Z', timeZone: 'UTC' };

describe('configuration API (embedded mode, through HTTP)', () => {
  let app: TestApp;
  let key: string;
  let seed: SeededAds;

  beforeAll(async () => {
    app = await startEmbeddedApp({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    key = app.adminKey;
    await createUploadPackage(app.url, key, 'vip-2024');
    await createUploadPackage(app.url, key, 'paid-users');
    seed = await createSeedAds(app.url, key);
  }, 90_000);
  afterAll(async () => {
    await app?.close();
  });

  it('creates the six ads A–F, each active with a creative, readable back', async () => {
    for (const [letter, ad] of Object.entries(seed.ads)) {
      const campaign = await expectOk(http(app.url, 'GET', `/v1/campaigns/${ad.id}`, { key }));
      expect(campaign).toMatchObject({ status: 'active', name: expect.stringMatching(new RegExp(`^${letter}:`)) });
      expect(campaign.creatives).toHaveLength(1);
    }
    const a = await expectOk(http(app.url, 'GET', `/v1/campaigns/${seed.ads.A.id}`, { key }));
    expect(a.slots).toEqual(['phone-desktop-splash', 'qq-desktop-popup']);
    expect((await expectOk(http(app.url, 'GET', `/v1/campaigns/${seed.ads.B.id}`, { key }))).suppressOnConversion).toBe(true);
    expect(a.suppressOnConversion).toBe(false);
  });

  it('configures the three policy combinations and reads them back', async () => {
    const policies = threePolicies(seed);
    for (const [slot, policy] of Object.entries(policies)) {
      const put = await http(app.url, 'PUT', `/v1/slots/${seed.slots[slot as keyof SeededAds['slots']].key}/policy`, { key, body: policy });
      expect(put.status).toBe(201);
      expect(put.headers.get('etag')).toBe('"1"');
      expect(put.body.warnings).toEqual([]);
    }
    const banner = await expectOk(http(app.url, 'GET', '/v1/slots/phone-desktop-banner/policy', { key }));
    expect(banner.branches.map((b: { method: string }) => b.method)).toEqual(['model', 'priority']);
    expect(banner.branches[0].audience).toEqual({ and: [{ package: 'vip-2024' }, { not: { package: 'paid-users' } }] });
  });

  it('shows the traffic table with strategy, platform, slot, delivery mode and schedule, filtered and paginated', async () => {
    const all = await expectOk(http(app.url, 'GET', '/v1/campaigns', { key }));
    expect(all.total).toBe(6);
    const rowA = all.items.find((r: { id: string }) => r.id === seed.ads.A.id);
    expect(rowA).toMatchObject({
      name: 'A: Jay Chou new album pre-sale',
      platforms: ['ios', 'android', 'pc'],
      slots: ['phone-desktop-splash', 'qq-desktop-popup'],
      deliveryModes: ['targeted+designated'],
      strategy: 'phone-desktop-splash/vip designated: targeted designated; qq-desktop-popup/vip designated: targeted designated',
      schedule: { timeZone: 'Asia/Shanghai', dayParting: 'all hours' },
    });
    const ids = async (query: string) => (await expectOk(http(app.url, 'GET', `/v1/campaigns?${query}`, { key }))).items.map((r: { id: string }) => r.id).sort();
    const { A, B, C, D, E, F } = seed.ads;
    expect(await ids('mode=designated')).toEqual([A.id].sort());
    expect(await ids('mode=model')).toEqual([B.id, C.id, F.id].sort());
    expect(await ids('mode=priority')).toEqual([D.id, E.id].sort());
    expect(await ids('mode=targeted')).toEqual([A.id, B.id, C.id].sort());
    expect(await ids('slot=qq-desktop-popup')).toEqual([A.id, B.id, C.id, F.id].sort());
    expect(await ids('platform=pc')).toEqual([A.id, B.id, C.id, F.id].sort());
    expect(await ids('category=partner')).toEqual([D.id, F.id].sort());
    expect(await ids('status=active&category=membership')).toEqual([B.id]);
    expect(await ids('from=2028-01-01T00:00:00Z')).toEqual([]);
    expect(await ids('from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z')).toHaveLength(6);
    const page2 = await expectOk(http(app.url, 'GET', '/v1/campaigns?page=2&pageSize=4', { key }));
    expect(page2).toMatchObject({ total: 6, page: 2, pageSize: 4 });
    expect(page2.items).toHaveLength(2);
    const f = (await expectOk(http(app.url, 'GET', `/v1/campaigns?category=partner&platform=pc`, { key }))).items[0];
    expect(f.schedule.dayParting).toBe('mon,tue,wed,thu,fri 7-10h');
  });

  it('exports the traffic table as CSV', async () => {
    const csv = await http(app.url, 'GET', '/v1/campaigns/export.csv', { key });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('id,name,category,status,priority,strategy,platforms,slots,delivery_modes,start_at,end_at,time_zone,day_parting');
    expect(lines).toHaveLength(7);
    expect(lines.find((l) => l.startsWith(seed.ads.D.id))).toContain('phone-desktop-banner/everyone by priority: priority,ios|android,phone-desktop-banner,priority');
    const filtered = await http(app.url, 'GET', '/v1/campaigns/export.csv?mode=designated', { key });
    expect(filtered.text.trim().split('\r\n')).toHaveLength(2);
  });

  it.each([
    ['end before start', { schedule: { ...schedule, endAt: '2025-01-01T00:00:00Z' } }, 'schedule.endAt', 'must be after startAt'],
    ['unknown slot', { slots: ['no-such-slot'] }, 'slots.0', 'unknown slot "no-such-slot"'],
    ['cap of 0', { frequencyCaps: [{ impressions: 0, window: 'day' }] }, 'frequencyCaps.0.impressions', 'impressions must be at least 1 (a cap of 0 would never serve; pause the campaign instead)'],
    ['unknown cap window', { frequencyCaps: [{ impressions: 2, window: 'fortnight' }] }, 'frequencyCaps.0.window', 'window must be one of minute, hour, day, week, lifetime'],
    ['unknown time zone', { schedule: { ...schedule, timeZone: 'Mars/Olympus' } }, 'schedule.timeZone', 'unknown IANA time zone "Mars/Olympus"'],
    ['priority out of range', { priority: 101 }, 'priority', 'priority must be between 1 and 100'],
    ['empty goal', { goal: { metric: 'clicks', pacing: 'even' } }, 'goal', 'a goal needs daily, total or both'],
    ['bad day part', { schedule: { ...schedule, dayParting: [{ days: ['mon'], startHour: 20, endHour: 8 }] } }, 'schedule.dayParting.0.endHour', 'must be after startHour (write overnight spans as two parts)'],
  ])('rejects a campaign with %s, naming the field', async (_label, override, field, problem) => {
    const body = { name: 'bad', category: 'partner', priority: 10, platforms: ['ios'], slots: ['phone-desktop-banner'], schedule, ...override };
    const result = await http(app.url, 'POST', '/v1/campaigns', { key, body });
    expect(result.status).toBe(400);
    expect(result.body.errors).toContainEqual({ field, problems: expect.arrayContaining([problem]) });
  });

  it.each([
    ['ftp://files.example.com/x', 'landingUrl must be an http or https URL'],
    ['javascript:alert(1)', 'landingUrl must be an http or https URL'],
  ])('rejects a creative landing URL %s', async (landingUrl, problem) => {
    const result = await http(app.url, 'POST', `/v1/campaigns/${seed.ads.D.id}/creatives`, { key, body: { type: 'image', formats: ['banner'], title: 't', landingUrl } });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([{ field: 'landingUrl', problems: [problem] }]);
  });

  it('rejects policies with unknown references, misfit candidates and incomplete methods', async () => {
    const draft = await expectOk(http(app.url, 'POST', '/v1/campaigns', { key, body: { name: 'G: splash only', category: 'partner', priority: 5, platforms: ['ios'], slots: ['phone-desktop-splash'], schedule } }));
    const result = await http(app.url, 'PUT', '/v1/slots/phone-desktop-banner/policy', {
      key,
      headers: { 'if-match': '*' },
      body: {
        branches: [
          { name: 'x', audience: { and: [{ package: 'no-such-package' }] }, campaignIds: [seed.ads.D.id, draft.id, '00000000-0000-4000-8000-000000000000'], method: 'designated' },
          { name: 'y', audience: 'everyone', campaignIds: [seed.ads.D.id], method: 'bandit', arms: [{ modelId: 'a', floor: 0.7 }, { modelId: 'b', floor: 0.6 }] },
          { name: 'y', audience: 'everyone', campaignIds: [seed.ads.E.id], method: 'model' },
        ],
      },
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'branches.0.audience.and.0.package', problems: [expect.stringContaining('no-such-package')] },
        { field: 'branches.0.campaignIds.1', problems: [`campaign G: splash only does not list slot phone-desktop-banner`] },
        { field: 'branches.0.campaignIds.2', problems: ['unknown campaign "00000000-0000-4000-8000-000000000000"'] },
        { field: 'branches.0.campaignIds', problems: ['a designated branch names exactly one campaign'] },
        { field: 'branches.1.arms', problems: ['arm floors add up to 1.300, more than 1'] },
        { field: 'branches.2.modelId', problems: ['a model branch names the model that ranks its candidates'] },
        { field: 'branches.2.name', problems: ['duplicate branch name "y"'] },
      ]),
    );
  });

  it('warns about a branch that an earlier branch hides entirely', async () => {
    const put = await http(app.url, 'PUT', `/v1/slots/phone-desktop-banner/policy`, {
      key,
      headers: { 'if-match': '"1"' },
      body: {
        branches: [
          { name: 'everyone first', audience: 'everyone', campaignIds: [seed.ads.D.id, seed.ads.E.id], method: 'priority' },
          { name: 'vip never reached', audience: { package: 'vip-2024' }, campaignIds: [seed.ads.D.id], method: 'designated' },
        ],
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.warnings).toHaveLength(1);
    expect(put.body.warnings[0]).toContain('vip never reached');
    // restore combination 2
    await expectOk(http(app.url, 'PUT', `/v1/slots/phone-desktop-banner/policy`, { key, headers: { 'if-match': '"2"' }, body: threePolicies(seed).banner }));
  });

  it('enforces lifecycle transitions and the creative-per-format rule', async () => {
    const c = await expectOk(http(app.url, 'POST', '/v1/campaigns', { key, body: { name: 'H', category: 'partner', priority: 5, platforms: ['ios'], slots: ['phone-desktop-banner'], schedule } }));
    const noCreative = await http(app.url, 'POST', `/v1/campaigns/${c.id}/status`, { key, headers: { 'if-match': '"1"' }, body: { status: 'active' } });
    expect(noCreative.status).toBe(409);
    expect(noCreative.body.errors).toEqual([{ field: 'creatives', problems: ['no creative fits slot phone-desktop-banner (format banner)'] }]);
    const illegal = await http(app.url, 'POST', `/v1/campaigns/${c.id}/status`, { key, headers: { 'if-match': '"1"' }, body: { status: 'paused' } });
    expect(illegal.status).toBe(409);
    expect(illegal.body.errors).toEqual([{ field: 'status', problems: ['illegal transition draft → paused; from draft the legal ones are: active, archived'] }]);
    const badStatus = await http(app.url, 'POST', `/v1/campaigns/${c.id}/status`, { key, headers: { 'if-match': '"1"' }, body: { status: 'deleted' } });
    expect(badStatus.status).toBe(400);
    const archived = await http(app.url, 'POST', `/v1/campaigns/${c.id}/status`, { key, headers: { 'if-match': '"1"' }, body: { status: 'archived' } });
    expect(archived.body.status).toBe('archived');
    const fromArchived = await http(app.url, 'POST', `/v1/campaigns/${c.id}/status`, { key, headers: { 'if-match': '"2"' }, body: { status: 'active' } });
    expect(fromArchived.status).toBe(409);
  });

  it('answers 409 to a stale write and 428 to a write without If-Match', async () => {
    const current = await http(app.url, 'GET', `/v1/campaigns/${seed.ads.E.id}`, { key });
    const etag = current.headers.get('etag')!;
    const first = await http(app.url, 'PATCH', `/v1/campaigns/${seed.ads.E.id}`, { key, headers: { 'if-match': etag }, body: { priority: 55 } });
    expect(first.status).toBe(200);
    const stale = await http(app.url, 'PATCH', `/v1/campaigns/${seed.ads.E.id}`, { key, headers: { 'if-match': etag }, body: { priority: 99 } });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(first.body.version);
    expect((await http(app.url, 'PATCH', `/v1/campaigns/${seed.ads.E.id}`, { key, body: { priority: 99 } })).status).toBe(428);
    expect((await expectOk(http(app.url, 'GET', `/v1/campaigns/${seed.ads.E.id}`, { key }))).priority).toBe(55);
  });

  it('keeps an audit log with who, when and a before/after diff', async () => {
    const entries = await expectOk(http(app.url, 'GET', `/v1/audit?entity=campaign&id=${seed.ads.E.id}`, { key }));
    const update = entries.find((e: { action: string }) => e.action === 'update');
    expect(update).toMatchObject({ entity: 'campaign', entityId: seed.ads.E.id, actorName: 'bootstrap admin', diff: expect.arrayContaining([{ path: 'priority', before: 50, after: 55 }]) });
    expect(Date.parse(update.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['create', 'status:active', 'update']));
    const policyEntries = await expectOk(http(app.url, 'GET', `/v1/audit?entity=policy&id=phone-desktop-banner`, { key }));
    expect(policyEntries.length).toBeGreaterThanOrEqual(3);
    expect((await http(app.url, 'GET', '/v1/audit?entity=spaceship', { key })).status).toBe(400);
  });

  it('refuses to delete a slot in use, naming what uses it', async () => {
    const result = await http(app.url, 'DELETE', '/v1/slots/phone-desktop-splash', { key });
    expect(result.status).toBe(409);
    expect(result.body.usedBy).toEqual(expect.arrayContaining(['delivery policy of slot phone-desktop-splash', expect.stringContaining('A: Jay Chou new album pre-sale')]));
    const spare = await expectOk(http(app.url, 'POST', '/v1/slots', { key, body: { key: 'spare-feed', name: 'Spare', format: 'feed', platforms: ['tv'], maxAdsPerResponse: 3 } }));
    expect((await http(app.url, 'DELETE', `/v1/slots/${spare.key}`, { key })).status).toBe(204);
    expect((await http(app.url, 'POST', '/v1/slots', { key, body: { key: 'phone-desktop-banner', name: 'dup', format: 'feed', platforms: ['tv'], maxAdsPerResponse: 1 } })).status).toBe(409);
  });

  it('moves the decision snapshot to the new version within one second of an edit', async () => {
    const etag = (await http(app.url, 'GET', `/v1/campaigns/${seed.ads.D.id}`, { key })).headers.get('etag')!;
    await expectOk(http(app.url, 'PATCH', `/v1/campaigns/${seed.ads.D.id}`, { key, headers: { 'if-match': etag }, body: { priority: 52 } }));
    const edited = Date.now();
    const [{ version: committed }] = await app.api.infra.database.dataSource.query('SELECT version::int AS version FROM config_state');
    let seen = 0;
    while (seen < committed && Date.now() - edited < 1000) seen = (await expectOk(http(app.url, 'GET', '/v1/snapshot', { key }))).version;
    expect(seen).toBeGreaterThanOrEqual(committed);
    expect(app.api.app.get(SnapshotService).current().snapshot.campaignsById.get(seed.ads.D.id)?.priority).toBe(52);
  });
});
