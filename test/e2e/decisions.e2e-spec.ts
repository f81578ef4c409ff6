import { randomUUID } from 'node:crypto';
import { verifyTrackingToken } from '../../src/engine/tracking/tracking-token';
import type { DecisionLogRow } from '../../src/modules/delivery/decision-log';
import { DECISION_BODY } from '../../src/modules/delivery/decision-request';
import { JobsService } from '../../src/platform/jobs/jobs.service';
import { ApiKeyGuard } from '../../src/modules/auth/api-key.guard';
import type { CompiledCampaign } from '../../src/engine/policy/snapshot';
import { type CandidateModel, ScorerRegistry } from '../../src/modules/delivery/scorer-registry';
import { createSeedAds, createUploadPackage, expectOk, threePolicies, type SeededAds } from '../support/seed-ads';
import { eventually } from '../support/job-driver.contract';
import { http, startEmbeddedApp, type TestApp } from '../support/test-app';

// warm-* listeners are only used to wait for the setup to reach this node, so their caps don't matter.
const VIPS = ['vip-1', 'vip-2', 'vip-paid', 'warm-vip', 'warm-vip-paid'];
const PAID = ['vip-paid', 'paid-1', 'warm-vip-paid'];
const EVERYONE = [...new Set([...VIPS, ...PAID, 'plain-1', 'plain-2', 'cap-user', 'load-user'])];

describe('decisions (embedded mode, through HTTP)', () => {
  let app: TestApp;
  let admin: string;
  let client: string;
  let seed: SeededAds;

  const decide = (body: Record<string, unknown>) => http(app.url, 'POST', '/v1/decisions', { key: client, body });

  beforeAll(async () => {
    app = await startEmbeddedApp({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    admin = app.adminKey;
    client = (await expectOk(http(app.url, 'POST', '/v1/api-keys', { key: admin, body: { name: 'ios app', role: 'slot-client', scope: 'ios' } }))).key;
    const ndjson = EVERYONE.map((u) => JSON.stringify({ userId: u, region: 'east', vipLevel: VIPS.includes(u) ? 5 : 0 })).join('\n') + '\n';
    await expectOk(http(app.url, 'POST', '/v1/profiles/import', { key: admin, rawBody: ndjson, headers: { 'content-type': 'application/x-ndjson' } }));
    await createUploadPackage(app.url, admin, 'vip-2024', VIPS);
    await createUploadPackage(app.url, admin, 'paid-users', PAID);
    seed = await createSeedAds(app.url, admin);
    for (const [slot, policy] of Object.entries(threePolicies(seed))) {
      await expectOk(http(app.url, 'PUT', `/v1/slots/${seed.slots[slot as keyof SeededAds['slots']].key}/policy`, { key: admin, body: policy }));
    }
    // Let every node-local view (snapshot, membership) catch up with the setup.
    await eventually(async () => {
      const vip = await decide({ slotId: 'phone-desktop-splash', userId: 'warm-vip', platform: 'ios', explain: true });
      const paid = await decide({ slotId: 'phone-desktop-banner', userId: 'warm-vip-paid', platform: 'ios', explain: true });
      // Both packages are visible once a paid VIP falls through to the everyone branch and warm-vip gets the splash ad.
      return vip.body.explain?.branch === 'vip designated' && paid.body.explain?.branch === 'everyone by priority' ? true : null;
    });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('combination 1: a targeted listener gets the one designated ad, others get nothing', async () => {
    const vip = await decide({ slotId: 'phone-desktop-splash', userId: 'vip-2', platform: 'android', explain: true });
    expect(vip.status).toBe(200);
    expect(vip.body.ads).toHaveLength(1);
    expect(vip.body.ads[0]).toMatchObject({ campaignId: seed.ads.A.id, branch: 'vip designated', method: 'designated', probability: 1 });
    const plain = await decide({ slotId: 'phone-desktop-splash', userId: 'plain-1', platform: 'ios', explain: true });
    expect(plain.body.ads).toEqual([]);
    expect(plain.body.explain.dropped).toContainEqual({ campaignId: seed.ads.A.id, reason: 'audience' });
  });

  it('combination 2: targeted listeners get model-ranked ads (falling back to priority until a model exists, and saying so); everyone else by priority', async () => {
    const vip = await decide({ slotId: 'phone-desktop-banner', userId: 'vip-1', platform: 'ios', count: 2, explain: true });
    expect(vip.body.ads.map((a: { campaignId: string }) => a.campaignId)).toEqual([seed.ads.B.id, seed.ads.C.id]);
    expect(vip.body.ads[0]).toMatchObject({ branch: 'vip not paid, model', method: 'model' });
    expect(vip.body.fallback).toEqual({ to: 'priority', reason: 'model ftrl-main is not available yet' });
    expect(vip.body.explain.fallback).toEqual(vip.body.fallback);

    const paidVip = await decide({ slotId: 'phone-desktop-banner', userId: 'vip-paid', platform: 'ios', count: 2 });
    // D and E tie on priority and weight: either order is right.
    expect(paidVip.body.ads.map((a: { campaignId: string }) => a.campaignId).sort()).toEqual([seed.ads.D.id, seed.ads.E.id].sort());
    expect(paidVip.body.ads[0].branch).toBe('everyone by priority');
  });


  it('ranks by the model within its time budget; a slow (async or sync), failing or missing model falls back to priority and says why', async () => {
    const registry = app.api.app.get(ScorerRegistry);
    const budgetMs = app.api.infra.config.modelBudgetMs;
    const preferC = (candidates: readonly CompiledCampaign[]) => new Map(candidates.map((c) => [c.id, c.id === seed.ads.C.id ? 0.9 : 0.1]));
    const asModel = (score: CandidateModel['score']): CandidateModel => ({ modelId: 'ftrl-main', version: 'test', score });
    // warm-vip: a VIP without a paid package whom no other test serves on the banner (its ad-load cap is untouched).
    const banner = () => decide({ slotId: 'phone-desktop-banner', userId: 'warm-vip', platform: 'ios', count: 2 });
    const cases: [string, CandidateModel | null, string | null][] = [
      ['healthy', asModel((_input, candidates) => preferC(candidates)), null],
      ['async, answers after the budget', asModel((_input, candidates) => new Promise((resolve) => setTimeout(() => resolve(preferC(candidates)), budgetMs + 100))), `model ftrl-main exceeded its ${budgetMs} ms budget`],
      ['sync, computes past the budget', asModel((_input, candidates) => {
        const until = performance.now() + budgetMs + 5;
        while (performance.now() < until);
        return preferC(candidates);
      }), `model ftrl-main exceeded its ${budgetMs} ms budget`],
      ['throws', asModel(() => { throw new Error('weights corrupt'); }), 'model ftrl-main failed: weights corrupt'],
      ['rejects', asModel(() => Promise.reject(new Error('session closed'))), 'model ftrl-main failed: session closed'],
      ['missing', null, 'model ftrl-main is not available yet'],
    ];
    try {
      for (const [name, model, reason] of cases) {
        if (model) registry.register(model);
        else registry.unregister('ftrl-main');
        const r = await banner();
        expect([name, r.status]).toEqual([name, 200]);
        // The ranking (and its fallback) is decided before caps are reserved, so the reason shows even once the slot's ad-load cap is used up.
        expect([name, r.body.fallback]).toEqual([name, reason === null ? null : { to: 'priority', reason }]);
        if (reason === null) expect(r.body.ads.map((a: { campaignId: string }) => a.campaignId)).toEqual([seed.ads.C.id, seed.ads.B.id]);
      }
    } finally {
      registry.unregister('ftrl-main');
    }
  });
  it('combination 3: targeted listeners get the designated ad, everyone else several ads by the model (priority fallback)', async () => {
    const vip = await decide({ slotId: 'qq-desktop-popup', userId: 'vip-1', platform: 'pc', explain: true });
    expect(vip.body.explain).toMatchObject({ branch: 'vip designated' });
    expect(vip.body.ads.map((a: { campaignId: string }) => a.campaignId)).toEqual([seed.ads.A.id]);
    const plain = await decide({ slotId: 'qq-desktop-popup', userId: 'plain-2', platform: 'android', explain: true });
    expect(plain.body.ads[0].branch).toBe('everyone by model');
    expect(plain.body.ads[0].campaignId).toBe(seed.ads.B.id);
    expect(plain.body.explain.funnel).toMatchObject({ candidates: 4, chosen: 1 });
  });

  it('signs tracking links carrying the decision, and logs every served ad through the queue', async () => {
    const result = await decide({ slotId: 'phone-desktop-banner', userId: 'plain-1', platform: 'ios', context: { hour: 21, network: 'wifi', genre: 'mandopop' } });
    const ad = result.body.ads[0];
    const url = new URL(ad.trackingUrls.click);
    expect(url.pathname).toBe('/v1/t/click');
    const secret = app.api.infra.trackingSecret;
    const verified = verifyTrackingToken(url.searchParams.get('t')!, 'click', secret, Date.now());
    expect(verified).toMatchObject({ kind: 'valid', legacy: false, claims: { d: ad.decisionId, c: ad.campaignId, cr: ad.creative.id, b: ad.branch, u: 'plain-1', pf: 'ios', p: ad.probability } });
    // each link has its own token, over the same claims
    for (const type of ['impression', 'conversion', 'skip'] as const) {
      const link = new URL(ad.trackingUrls[type]);
      expect(link.pathname).toBe(`/v1/t/${type}`);
      expect(link.searchParams.get('t')).not.toBe(url.searchParams.get('t'));
      expect(verifyTrackingToken(link.searchParams.get('t')!, type, secret, Date.now())).toEqual({ ...verified });
    }
    const row = await eventually(async () => {
      const rows = await app.api.infra.database.dataSource.query('SELECT * FROM decisions WHERE decision_id = $1', [ad.decisionId]);
      return rows[0] ?? null;
    });
    expect(row).toMatchObject({ user_id: 'plain-1', campaign_id: ad.campaignId, method: 'priority', context: { hour: 21, network: 'wifi', genre: 'mandopop' } });
    // A priority decision carries the listener's features too (the profile as the index holds it): the learners train on every served ad.
    expect(row.features).toEqual({ user: { region: 'east', vipLevel: '0' }, context: { hour: 21, network: 'wifi', genre: 'mandopop' } });
  });

  it('logs context values with quotes, backslashes, braces and non-ASCII text unchanged, and the decision time to the millisecond', async () => {
    const context = { genre: 'a"b\\c{x},\'y\' é 歌', network: 'NULL', hour: 7 };
    const before = Date.now();
    const ad = (await decide({ slotId: 'phone-desktop-banner', userId: 'quote"user', platform: 'ios', context })).body.ads[0];
    const row = await eventually(async () => (await app.api.infra.database.dataSource.query('SELECT * FROM decisions WHERE decision_id = $1', [ad.decisionId]))[0] ?? null);
    expect(row).toMatchObject({ user_id: 'quote"user', context, arm: null, explored: false });
    expect(row.created_at.getTime()).toBeGreaterThanOrEqual(before);
    expect(row.created_at.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a NUL or an unpaired surrogate with 400 naming the field, instead of failing a whole decision-log batch later', async () => {
    const nul = await decide({ slotId: 'phone-desktop-banner', userId: 'plain-1', platform: 'ios', context: { genre: 'pop\u0000' } });
    expect(nul.status).toBe(400);
    expect(nul.body.errors).toEqual([{ field: 'context.genre', problems: ['must not contain NUL characters or unpaired UTF-16 surrogates'] }]);
    const surrogate = await decide({ slotId: 'phone-desktop-banner', userId: 'plain-\uD83C', platform: 'ios' });
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.errors.map((e: { field: string }) => e.field)).toEqual(['userId']);
    // The JSON body parser refuses them before the decision request's own check, each field by its path.
    for (const [body, field] of [
      [{ slotId: 'phone-desktop-banner', userId: 'u\u00001', platform: 'ios' }, 'userId'],
      [{ slotId: 'phone-desktop-banner', userId: 'plain-1', platform: 'ios', context: { genre: 'pop\uD83C' } }, 'context.genre'],
      [{ slotId: 'phone-desktop-banner', userId: 'plain-1', platform: 'ios', context: { ['\uDFB5k']: 1 } }, 'context.\uDFB5k'],
      [{ slotId: 'a\u0000', userId: 'plain-1', platform: 'ios' }, 'slotId'],
    ] as const) {
      const refused = await decide(body);
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    // Paired surrogates (emoji) and CJK are fine.
    expect((await decide({ slotId: 'phone-desktop-banner', userId: 'u-🎵-歌', platform: 'ios', context: { mood: '🎸 é 歌' } })).status).toBe(200);
  });

  it('a decision-log row PostgreSQL refuses costs only itself: the rest of its batch is stored, the refused one counted', async () => {
    const base: DecisionLogRow = {
      decisionId: randomUUID(), createdAtMs: Date.now(), userId: 'batch-user', slotId: seed.slots.banner.id, platform: 'ios', campaignId: seed.ads.D.id, creativeId: randomUUID(),
      branch: 'everyone by priority', method: 'priority', arm: null, armProbability: null, fallback: null, propensity: 1, score: null, position: 0,
      explored: false, configVersion: 1, modelVersion: null, context: { hour: 3 }, features: null,
    };
    // Rows as a node that did not check its input would have logged them: jsonb refuses a NUL escape.
    const poisoned = { ...base, decisionId: randomUUID(), context: { genre: 'pop\u0000' } };
    const good = [base, { ...base, decisionId: randomUUID() }];
    await app.api.app.get(JobsService).enqueue('decisions.log', { rows: [good[0], poisoned, good[1]] });
    const stored = await eventually(async () => {
      const rows = await app.api.infra.database.dataSource.query('SELECT decision_id FROM decisions WHERE user_id = $1', ['batch-user']);
      return rows.length === 2 ? rows.map((r: { decision_id: string }) => r.decision_id).sort() : null;
    });
    expect(stored).toEqual(good.map((r) => r.decisionId).sort());
    const metrics = await eventually(async () => {
      const text = (await http(app.url, 'GET', '/metrics')).text;
      return /musicboss_decision_log_dropped_rows_total 1\b/.test(text) ? text : null;
    });
    expect(metrics).toMatch(/musicboss_decision_log_dropped_rows_total 1\b/);
  });

  it("logs a listener's current profile as features once an update lands (the per-listener profile cache is refreshed)", async () => {
    const featuresOf = async (decisionId: string) =>
      eventually(async () => (await app.api.infra.database.dataSource.query('SELECT features FROM decisions WHERE decision_id = $1', [decisionId]))[0]?.features ?? null);
    const before = await decide({ slotId: 'phone-desktop-banner', userId: 'plain-2', platform: 'ios' });
    expect((await featuresOf(before.body.ads[0].decisionId)).user).toEqual({ region: 'east', vipLevel: '0' });
    await expectOk(http(app.url, 'POST', '/v1/profiles/import', { key: admin, rawBody: `${JSON.stringify({ userId: 'plain-2', region: 'west', vipLevel: 0 })}\n`, headers: { 'content-type': 'application/x-ndjson' } }));
    const user = await eventually(async () => {
      const r = await decide({ slotId: 'phone-desktop-banner', userId: 'plain-2', platform: 'ios' });
      if (!r.body.ads[0]) return null;
      const features = await featuresOf(r.body.ads[0].decisionId);
      return features.user.region === 'west' ? features.user : null;
    });
    expect(user).toEqual({ region: 'west', vipLevel: '0' });
  });

  it('explains every dropped candidate: platform, schedule/day-part and caps', async () => {
    // F is on the popup for pc/android only, Mon–Fri 7–10 in Shanghai.
    const ios = await decide({ slotId: 'qq-desktop-popup', userId: 'plain-2', platform: 'ios', explain: true });
    expect(ios.body.explain.dropped).toContainEqual({ campaignId: seed.ads.F.id, reason: expect.stringMatching(/^(platform|day_part)$/) });
  });

  it('serves exactly N under 200 concurrent requests for one listener with a cap of N (in-memory store)', async () => {
    const slot = await expectOk(http(app.url, 'POST', '/v1/slots', { key: admin, body: { key: 'cap-feed', name: 'Cap feed', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 1 } }));
    const campaign = await expectOk(
      http(app.url, 'POST', '/v1/campaigns', {
        key: admin,
        body: { name: 'Capped', category: 'partner', priority: 10, platforms: ['ios'], slots: ['cap-feed'], schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' }, frequencyCaps: [{ impressions: 7, window: 'day' }] },
      }),
    );
    await expectOk(http(app.url, 'POST', `/v1/campaigns/${campaign.id}/creatives`, { key: admin, body: { type: 'text', formats: ['feed'], title: 'c', landingUrl: 'https://x.example.com' } }));
    await expectOk(http(app.url, 'POST', `/v1/campaigns/${campaign.id}/status`, { key: admin, headers: { 'if-match': '"1"' }, body: { status: 'active' } }));
    await expectOk(http(app.url, 'PUT', `/v1/slots/${slot.key}/policy`, { key: admin, body: { branches: [{ name: 'all', audience: 'everyone', campaignIds: [campaign.id], method: 'priority' }] } }));
    await eventually(async () => ((await decide({ slotId: 'cap-feed', userId: 'warmup', platform: 'ios' })).body.ads?.length === 1 ? true : null));
    const results = await Promise.all(Array.from({ length: 200 }, () => decide({ slotId: 'cap-feed', userId: 'cap-user', platform: 'ios' })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.ads.length === 1)).toHaveLength(7);
    const after = await decide({ slotId: 'cap-feed', userId: 'cap-user', platform: 'ios', explain: true });
    expect(after.body.explain.dropped).toContainEqual({ campaignId: campaign.id, reason: 'cap' });
  });

  it('enforces the slot ad-load cap across campaigns', async () => {
    // banner: at most 4 ads per hour per listener across D and E (count 2 per request)
    const served: number[] = [];
    for (let i = 0; i < 4; i++) served.push((await decide({ slotId: 'phone-desktop-banner', userId: 'load-user', platform: 'ios', count: 2 })).body.ads.length);
    expect(served.reduce((a, b) => a + b, 0)).toBe(4);
    const capped = await decide({ slotId: 'phone-desktop-banner', userId: 'load-user', platform: 'ios', explain: true });
    expect(capped.body.ads).toEqual([]);
    expect(capped.body.explain.dropped.map((d: { reason: string }) => d.reason)).toContain('ad_load_cap');
  });

  it.each([
    [{ slotId: 'no-such-slot', userId: 'u', platform: 'ios' }, 404],
    [{ slotId: 'phone-desktop-splash', userId: 'u', platform: 'tv' }, 400],
    [{ slotId: 'phone-desktop-splash', userId: 'u', platform: 'fridge' }, 400],
    [{ slotId: 'phone-desktop-splash', userId: '', platform: 'ios' }, 400],
    [{ slotId: 'phone-desktop-splash', userId: 'u', platform: 'ios', count: 0 }, 400],
    [{ slotId: 'phone-desktop-splash', userId: 'u', platform: 'ios', context: { nested: { a: 1 } } }, 400],
  ])('answers %j with %d', async (body, status) => {
    const result = await decide(body);
    expect(result.status).toBe(status);
    if (status === 400) expect(result.body.errors?.length ?? 0).toBeGreaterThan(0);
  });

  it("is served without Nest's per-request pipeline, with the same key checks and error bodies as every other route", async () => {
    const viewer = (await expectOk(http(app.url, 'POST', '/v1/api-keys', { key: admin, body: { name: 'reader', role: 'viewer' } }))).key;
    const guard = jest.spyOn(ApiKeyGuard.prototype, 'canActivate');
    try {
      const served = await decide({ slotId: 'phone-desktop-splash', userId: 'plain-1', platform: 'ios' });
      expect(served.status).toBe(200);
      expect(served.headers.get('x-request-id')).toBeTruthy();
      expect(guard).not.toHaveBeenCalled();
      const body = { slotId: 'phone-desktop-splash', userId: 'u', platform: 'ios' };
      const noKey = await http(app.url, 'POST', '/v1/decisions', { body });
      const badKey = await http(app.url, 'POST', '/v1/decisions', { key: 'mb_not-a-key-at-all-000000000', body });
      const wrongRole = await http(app.url, 'POST', '/v1/decisions', { key: viewer, body });
      expect([noKey.status, badKey.status, wrongRole.status]).toEqual([401, 401, 403]);
      expect(noKey.body).toEqual({ statusCode: 401, message: 'missing API key: send "Authorization: Bearer <key>"', error: 'Unauthorized' });
      expect(badKey.body).toEqual({ statusCode: 401, message: 'invalid or revoked API key', error: 'Unauthorized' });
      expect(wrongRole.body).toEqual({ statusCode: 403, message: 'this route needs role slot-client; the key has role viewer', error: 'Forbidden' });
      // The same refusals from a route that Nest's guard answers.
      expect(guard).not.toHaveBeenCalled();
      const nestNoKey = await http(app.url, 'GET', '/v1/slots');
      expect(guard).toHaveBeenCalled();
      expect(nestNoKey.body).toEqual(noKey.body);
      const invalid = await decide({ slotId: 'phone-desktop-splash', userId: 'u', platform: 'fridge' });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ statusCode: 400, errors: [expect.objectContaining({ field: 'platform' })] });
    } finally {
      guard.mockRestore();
    }
  });

  it('documents the request body in OpenAPI from the same table the route checks it with', async () => {
    const doc = await http(app.url, 'GET', '/docs-json');
    const body = doc.body.paths['/v1/decisions'].post.requestBody;
    expect(body.content['application/json'].schema).toEqual(DECISION_BODY.schema);
    expect(body.content['application/json'].schema.properties.platform.enum).toContain('ios');
  });

  it('counts the funnel in metrics by slot and branch', async () => {
    const metrics = await http(app.url, 'GET', '/metrics');
    expect(metrics.text).toMatch(/musicboss_decision_funnel_total\{slot="phone-desktop-splash",branch="vip designated",stage="chosen"\} [1-9]/);
    expect(metrics.text).toMatch(/musicboss_decision_fallbacks_total\{slot="phone-desktop-banner"/);
  });
});
