import { randomUUID } from 'node:crypto';
import type { CounterStore } from '../../src/engine/caps/counter-store';
import { explorationCounterKey, suppressionKey } from '../../src/engine/caps/frequency-caps';
import type { EventType } from '../../src/engine/feedback/events';
import { signTrackingTokens, type TrackingClaims } from '../../src/engine/tracking/tracking-token';
import { COUNTER_STORE } from '../../src/platform/counters/counters.provider';
import { SnapshotService } from '../../src/modules/snapshot/snapshot.service';
import { FeedbackSettings } from '../../src/modules/labels/feedback-settings';
import { FeedbackClock } from '../../src/platform/feedback-clock';
import { LabelSweeper } from '../../src/modules/labels/label-sweeper.service';
import { type LabelledExample, LabelledExampleBus } from '../../src/modules/labels/labelled-example-bus';
import { eventually } from '../support/job-driver.contract';
import { createSeedAds, createUploadPackage, expectOk, threePolicies, type SeededAds } from '../support/seed-ads';
import { http, startEmbeddedApp, type TestApp } from '../support/test-app';

const VIPS = Array.from({ length: 8 }, (_, i) => `vip-${i + 1}`);
const USERS = [...VIPS, ...Array.from({ length: 40 }, (_, i) => `plain-${i + 1}`)];
const TYPES = ['impression', 'click', 'conversion', 'skip'] as const;

interface ServedAd {
  decisionId: string;
  campaignId: string;
  branch: string;
  creative: { id: string; landingUrl: string };
  trackingUrls: Record<(typeof TYPES)[number], string>;
}

describe('feedback (embedded mode, through HTTP)', () => {
  let app: TestApp;
  let admin: string;
  let client: string;
  let viewer: string;
  let seed: SeededAds;
  const examples: LabelledExample[] = [];
  // Fresh listeners per test: the banner's ad-load cap (4 an hour) would otherwise stop serving them.
  let plainUsed = 0;
  let vipUsed = 1;
  const plain = () => `plain-${++plainUsed}`;
  const vip = () => `vip-${++vipUsed}`;

  const decide = async (userId: string, slotId = 'phone-desktop-banner', platform = 'ios'): Promise<ServedAd[]> =>
    (await expectOk(http(app.url, 'POST', '/v1/decisions', { key: client, body: { slotId, userId, platform, count: 2 } }))).ads;
  const tokenOf = (ad: ServedAd, type: EventType = 'impression') => new URL(ad.trackingUrls[type]).searchParams.get('t')!;
  const pathOf = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };
  const sql = <T = any>(text: string, params: unknown[] = []): Promise<T[]> => app.api.infra.database.dataSource.query(text, params);
  const eventCount = async (decisionId: string) => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE decision_id = $1', [decisionId]))[0].n;
  const statsOf = async (campaignId: string) =>
    (
      await sql<{ impressions: number; clicks: number; conversions: number; skips: number; served: number }>(
        `SELECT coalesce(sum(impressions),0)::int AS impressions, coalesce(sum(clicks),0)::int AS clicks, coalesce(sum(conversions),0)::int AS conversions,
                coalesce(sum(skips),0)::int AS skips, coalesce(sum(served),0)::int AS served FROM stats_minute WHERE campaign_id = $1`,
        [campaignId],
      )
    )[0];
  const forge = (claims: Partial<TrackingClaims>, type: EventType = 'impression') => {
    const base: TrackingClaims = { d: randomUUID(), c: seed.ads.D.id, cr: 'x', s: seed.slots.banner.id, b: 'everyone by priority', a: null, p: 1, u: 'plain-1', pf: 'ios', i: Date.now(), e: Date.now() + 3_600_000 };
    return signTrackingTokens({ ...base, ...claims }, app.api.infra.trackingSecret)[type];
  };

  beforeAll(async () => {
    app = await startEmbeddedApp({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    admin = app.adminKey;
    client = (await expectOk(http(app.url, 'POST', '/v1/api-keys', { key: admin, body: { name: 'app', role: 'slot-client' } }))).key;
    viewer = (await expectOk(http(app.url, 'POST', '/v1/api-keys', { key: admin, body: { name: 'dashboard', role: 'viewer' } }))).key;
    const ndjson = USERS.map((u) => JSON.stringify({ userId: u, region: 'east', vipLevel: u.startsWith('vip') ? 5 : 0 })).join('\n') + '\n';
    await expectOk(http(app.url, 'POST', '/v1/profiles/import', { key: admin, rawBody: ndjson, headers: { 'content-type': 'application/x-ndjson' } }));
    await createUploadPackage(app.url, admin, 'vip-2024', VIPS);
    await createUploadPackage(app.url, admin, 'paid-users', []);
    seed = await createSeedAds(app.url, admin);
    for (const [slot, policy] of Object.entries(threePolicies(seed))) {
      await expectOk(http(app.url, 'PUT', `/v1/slots/${seed.slots[slot as keyof SeededAds['slots']].key}/policy`, { key: admin, body: policy }));
    }
    await eventually(async () => ((await decide('vip-1')).some((a) => a.campaignId === seed.ads.B.id) ? true : null));
    app.api.app.get(LabelledExampleBus).register('test', (batch) => void examples.push(...batch));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('takes each event type through its signed link: pixel, redirect, 204s; stored once with live counters', async () => {
    const user = plain();
    const [ad] = await decide(user);
    const responses = await Promise.all(TYPES.map((type) => http(app.url, 'GET', pathOf(ad.trackingUrls[type]))));
    expect(responses.map((r) => r.status)).toEqual([200, 302, 204, 204]);
    expect(responses[0].headers.get('content-type')).toBe('image/gif');
    expect(responses[1].headers.get('location')).toBe(ad.creative.landingUrl);
    await eventually(async () => ((await eventCount(ad.decisionId)) === 4 ? true : null));
    const rows = await sql<{ type: string; campaign_id: string; user_id: string; branch: string; click_without_impression: boolean }>(
      'SELECT type, campaign_id, user_id, branch, click_without_impression FROM events WHERE decision_id = $1 ORDER BY type',
      [ad.decisionId],
    );
    expect(rows.map((r) => r.type)).toEqual(['click', 'conversion', 'impression', 'skip']);
    expect(rows.every((r) => r.campaign_id === ad.campaignId && r.user_id === user && r.branch === ad.branch)).toBe(true);
    await eventually(async () => {
      const s = await statsOf(ad.campaignId);
      return s.impressions >= 1 && s.served >= 1 ? s : null;
    });
  });

  it('counts a replay once, through links and batches alike', async () => {
    const [ad] = await decide(plain());
    const before = await statsOf(ad.campaignId);
    for (let i = 0; i < 3; i++) expect((await http(app.url, 'GET', pathOf(ad.trackingUrls.impression))).status).toBe(200);
    const batch = await http(app.url, 'POST', '/v1/events', { key: client, body: { events: [{ type: 'impression', token: tokenOf(ad) }, { type: 'impression', token: tokenOf(ad) }, { type: 'click', token: tokenOf(ad, 'click') }] } });
    expect(batch.status).toBe(202);
    expect(batch.body).toEqual({ accepted: 3, rejected: [], durableIn: 'queue' });
    expect((await http(app.url, 'POST', '/v1/events', { key: client, body: { events: [{ type: 'click', token: tokenOf(ad, 'click') }] } })).status).toBe(202);
    await eventually(async () => ((await eventCount(ad.decisionId)) === 2 ? true : null));
    await eventually(async () => {
      const after = await statsOf(ad.campaignId);
      return after.impressions - before.impressions === 1 && after.clicks - before.clicks === 1 ? true : null;
    });
    // and nothing more arrives later
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventCount(ad.decisionId)).toBe(2);
  });

  it.each([
    ['an altered payload', (t: string) => `${Buffer.from(Buffer.from(t.split('.')[0], 'base64url').toString().replace(/"u":"[^"]*"/, '"u":"someone-else"')).toString('base64url')}.${t.split('.')[1]}`, 400],
    ['a flipped signature', (t: string) => `${t.split('.')[0]}.${t.split('.')[1].slice(0, -2)}AA`, 400],
    ['garbage', () => 'not-a-token', 400],
  ])('refuses %s with 400 and changes nothing', async (_name, mutate, status) => {
    const [ad] = await decide(plain());
    const bad = mutate(tokenOf(ad));
    expect(bad).not.toBe(tokenOf(ad));
    for (const type of TYPES) {
      const res = await http(app.url, 'GET', `/v1/t/${type}?t=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(status);
    }
    const batch = await http(app.url, 'POST', '/v1/events', { key: client, body: { events: [{ type: 'click', token: bad }] } });
    expect(batch.status).toBe(400);
    expect(batch.body.rejected).toEqual([{ index: 0, status: 400, error: expect.any(String) }]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventCount(ad.decisionId)).toBe(0);
  });

  it("a token fires only its own link: an impression pixel's token cannot report a click, conversion or skip (400, nothing stored)", async () => {
    const [ad] = await decide(plain());
    for (const issued of TYPES) {
      for (const offered of TYPES.filter((t) => t !== issued)) {
        const res = await http(app.url, 'GET', `/v1/t/${offered}?t=${tokenOf(ad, issued)}`);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe(`token is the ${issued} link's, it cannot report a ${offered}`);
      }
    }
    const batch = await http(app.url, 'POST', '/v1/events', { key: client, body: { events: TYPES.filter((t) => t !== 'impression').map((type) => ({ type, token: tokenOf(ad) })) } });
    expect(batch.status).toBe(400);
    expect(batch.body.rejected.map((r: { status: number }) => r.status)).toEqual([400, 400, 400]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventCount(ad.decisionId)).toBe(0);
  });

  // Alterations a lenient decoder reads as the same bytes: a token has one spelling.
  it.each([
    ['a set unused bit', (s: string) => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1)],
    ["an inserted '!'", (s: string) => `${s.slice(0, 4)}!${s.slice(4)}`],
    ['an inserted space', (s: string) => `${s.slice(0, 4)} ${s.slice(4)}`],
    ["'==' appended", (s: string) => `${s}==`],
  ])('refuses a signature with %s (400, nothing stored)', async (_name, alter) => {
    const [ad] = await decide(plain());
    const [payload, signature] = tokenOf(ad, 'click').split('.');
    const altered = alter(signature);
    expect(Buffer.from(altered, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    const res = await http(app.url, 'GET', `/v1/t/click?t=${encodeURIComponent(`${payload}.${altered}`)}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('malformed token: signature is not canonical base64url');
    const batch = await http(app.url, 'POST', '/v1/events', { key: client, body: { events: [{ type: 'click', token: `${payload}.${altered}` }] } });
    expect(batch.status).toBe(400);
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventCount(ad.decisionId)).toBe(0);
  });

  it('refuses an expired link with 410 and changes nothing', async () => {
    const decisionId = randomUUID();
    const claims = { d: decisionId, i: Date.now() - 7_200_000, e: Date.now() - 1000 };
    const expired = forge(claims);
    expect((await http(app.url, 'GET', `/v1/t/click?t=${forge(claims, 'click')}`)).status).toBe(410);
    expect((await http(app.url, 'GET', `/v1/t/impression?t=${expired}`)).status).toBe(410);
    const batch = await http(app.url, 'POST', '/v1/events', { key: client, body: { events: [{ type: 'impression', token: expired }] } });
    expect(batch.status).toBe(410);
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventCount(decisionId)).toBe(0);
  });

  it('keeps the good events of a batch and reports the bad ones by index', async () => {
    const [ad] = await decide(plain());
    const good = tokenOf(ad);
    const expired = forge({ i: Date.now() - 7_200_000, e: Date.now() - 1000 }, 'click');
    const res = await http(app.url, 'POST', '/v1/events', {
      key: client,
      body: {
        events: [
          { type: 'impression', token: good, at: Date.now() - 500 },
          { type: 'impression', token: good.slice(0, -3) + 'xyz' },
          { type: 'click', token: expired },
          { type: 'purchase', token: good },
          'impression',
          { type: 'click', token: good, extra: 1 },
          { type: 'skip', token: good, at: 'yesterday' },
          { type: 'click', token: good },
          { type: 'click', token: tokenOf(ad, 'click') },
        ],
      },
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected.map((r: { index: number; status: number }) => [r.index, r.status])).toEqual([
      [1, 400],
      [2, 410],
      [3, 400],
      [4, 400],
      [5, 400],
      [6, 400],
      [7, 400],
    ]);
    expect(res.body.rejected[6].error).toBe("token is the impression link's, it cannot report a click");
    await eventually(async () => ((await eventCount(ad.decisionId)) === 2 ? true : null));
  });

  it('refuses batches over 500 events, empty batches, and keys other than slot-client', async () => {
    const [ad] = await decide(plain());
    const many = Array.from({ length: 501 }, () => ({ type: 'impression', token: tokenOf(ad) }));
    expect((await http(app.url, 'POST', '/v1/events', { key: client, body: { events: many } })).status).toBe(400);
    expect((await http(app.url, 'POST', '/v1/events', { key: client, body: { events: [] } })).status).toBe(400);
    expect((await http(app.url, 'POST', '/v1/events', { body: { events: [{ type: 'impression', token: tokenOf(ad) }] } })).status).toBe(401);
    expect((await http(app.url, 'POST', '/v1/events', { key: viewer, body: { events: [{ type: 'impression', token: tokenOf(ad) }] } })).status).toBe(403);
  });

  it('accepts a click without an impression and flags it; an impression arriving later makes it a positive label', async () => {
    const [ad] = await decide(plain(), 'qq-desktop-popup', 'pc');
    expect((await http(app.url, 'GET', pathOf(ad.trackingUrls.click))).status).toBe(302);
    await eventually(async () => ((await eventCount(ad.decisionId)) === 1 ? true : null));
    const [click] = await sql('SELECT click_without_impression FROM events WHERE decision_id = $1', [ad.decisionId]);
    expect(click.click_without_impression).toBe(true);
    expect((await http(app.url, 'GET', pathOf(ad.trackingUrls.impression))).status).toBe(200);
    const example = await eventually(async () => examples.find((e) => e.decisionId === ad.decisionId) ?? null);
    expect(example.label).toBe(1);
  });

  it('labels with the attribution window on a fake clock: click inside → 1 at once with the features; silence → 0 when the window closes', async () => {
    const clock = app.api.app.get(FeedbackClock);
    const sweeper = app.api.app.get(LabelSweeper);
    expect(app.api.app.get(FeedbackSettings).attributionWindowMs).toBe(30 * 60_000);
    const clickedUser = vip();
    const [clicked] = await decide(clickedUser);
    const [silent] = await decide(vip());
    const [late] = await decide(plain());
    for (const ad of [clicked, silent, late]) expect((await http(app.url, 'GET', pathOf(ad.trackingUrls.impression))).status).toBe(200);
    clock.advance(10 * 60_000);
    expect((await http(app.url, 'GET', pathOf(clicked.trackingUrls.click))).status).toBe(302);
    const positive = await eventually(async () => examples.find((e) => e.decisionId === clicked.decisionId) ?? null);
    expect(positive).toMatchObject({ label: 1, campaignId: clicked.campaignId, branch: clicked.branch, userId: clickedUser, platform: 'ios' });
    expect(positive.features).toEqual(expect.objectContaining({ user: expect.any(Object) }));
    expect(positive.clickedAtMs! - positive.impressionAtMs).toBeGreaterThanOrEqual(10 * 60_000);

    // 29 minutes after the impressions: still inside the window, nothing else labelled
    clock.advance(19 * 60_000);
    await sweeper.sweepAll();
    expect(examples.filter((e) => e.decisionId === silent.decisionId || e.decisionId === late.decisionId)).toEqual([]);

    // 31 minutes: the window closed; a click now is too late
    clock.advance(2 * 60_000);
    expect((await http(app.url, 'GET', pathOf(late.trackingUrls.click))).status).toBe(302);
    await eventually(async () => ((await eventCount(late.decisionId)) === 2 ? true : null));
    await sweeper.sweepAll();
    const negatives = await eventually(async () => {
      const found = examples.filter((e) => e.decisionId === silent.decisionId || e.decisionId === late.decisionId);
      return found.length === 2 ? found : null;
    });
    expect(negatives.map((e) => e.label)).toEqual([0, 0]);
    // exactly one label per decision, stored
    const stored = await sql<{ decision_id: string; label: number }>('SELECT decision_id::text, label FROM labelled_examples WHERE decision_id = ANY($1::uuid[]) ORDER BY label DESC', [
      [clicked.decisionId, silent.decisionId, late.decisionId],
    ]);
    expect(stored.map((r) => Number(r.label))).toEqual([1, 0, 0]);
    expect(examples.filter((e) => e.decisionId === clicked.decisionId)).toHaveLength(1);
  });

  it('a conversion on a membership campaign suppresses it for that listener from the next decision, and counts toward its goal', async () => {
    const store = app.api.app.get<CounterStore>(COUNTER_STORE);
    const buyer = vip();
    let ad: ServedAd | undefined;
    await eventually(async () => {
      ad = (await decide(buyer)).find((a) => a.campaignId === seed.ads.B.id);
      return ad ?? null;
    });
    expect((await http(app.url, 'POST', '/v1/events', { key: client, body: { events: [{ type: 'impression', token: tokenOf(ad!) }, { type: 'conversion', token: tokenOf(ad!, 'conversion') }] } })).status).toBe(202);
    await eventually(async () => ((await store.get([suppressionKey(buyer, seed.ads.B.id)]))[0] === 1 ? true : null));
    const after = await decide(buyer);
    expect(after.map((a) => a.campaignId)).not.toContain(seed.ads.B.id);
    // another listener still gets it
    expect((await decide(vip())).map((a) => a.campaignId)).toContain(seed.ads.B.id);
    // goal counters are incremented once the event is stored
    const b = await eventually(async () => {
      const pacing = await expectOk(http(app.url, 'GET', '/v1/reports/pacing', { key: viewer }));
      const found = pacing.campaigns.find((c: { campaignId: string }) => c.campaignId === seed.ads.B.id);
      return found?.doneToday === 1 ? found : null;
    });
    expect(b).toMatchObject({ metric: 'conversions', daily: 500, doneToday: 1, doneTotal: 1 });
    expect(['behind', 'on_track', 'ahead']).toContain(b.status);
  });

  it('counts impressions of explored decisions against the exploration budget, once', async () => {
    const store = app.api.app.get<CounterStore>(COUNTER_STORE);
    const current = await expectOk(http(app.url, 'GET', `/v1/campaigns/${seed.ads.E.id}`, { key: admin }));
    await expectOk(http(app.url, 'PATCH', `/v1/campaigns/${seed.ads.E.id}`, { key: admin, body: { explorationBudget: 100 }, headers: { 'if-match': `"${current.version}"` } }));
    await eventually(async () => (app.api.app.get(SnapshotService).current().snapshot.campaignsById.get(seed.ads.E.id)?.explorationBudget === 100 ? true : null));
    const key = explorationCounterKey(seed.ads.E.id);
    const before = (await store.get([key]))[0] ?? 0;
    const nowMs = Date.now();
    const rows = [true, false].map((explored) => ({ id: randomUUID(), explored }));
    for (const row of rows) {
      await sql(
        `INSERT INTO decisions (decision_id, created_at, user_id, slot_id, platform, campaign_id, creative_id, branch, method, arm, fallback, propensity, score, position, explored, config_version, model_version, context, features)
         VALUES ($1, $2, 'plain-40', $3, 'ios', $4, $5, 'everyone by priority', 'priority', null, null, 0.1, null, 0, $6, 1, null, '{}', '{"user":{}}')`,
        [row.id, new Date(nowMs), seed.slots.banner.id, seed.ads.E.id, randomUUID(), row.explored],
      );
    }
    const tokens = rows.map((row) => forge({ d: row.id, c: seed.ads.E.id, i: nowMs, p: 0.1, u: 'plain-40' }));
    const events = tokens.flatMap((token) => [{ type: 'impression', token }, { type: 'impression', token }]);
    expect((await http(app.url, 'POST', '/v1/events', { key: client, body: { events } })).status).toBe(202);
    await eventually(async () => (((await store.get([key]))[0] ?? 0) - before === 1 ? true : null));
    await app.api.app.get(LabelSweeper).sweepAll();
    expect(((await store.get([key]))[0] ?? 0) - before).toBe(1);
  });

  it('puts a poison event in the dead-letter list and keeps the rest of its batch', async () => {
    const [ad] = await decide(plain());
    // well signed, but its issue time is out of PostgreSQL's range: the database refuses it as data
    const poison = forge({ i: 1e17, e: 1e17 + 1 });
    const res = await http(app.url, 'POST', '/v1/events', { key: client, body: { events: [{ type: 'impression', token: tokenOf(ad) }, { type: 'impression', token: poison }] } });
    expect(res.status).toBe(202);
    await eventually(async () => ((await eventCount(ad.decisionId)) === 1 ? true : null));
    const letters = await eventually(async () => {
      const r = await http(app.url, 'GET', '/v1/feedback/dead-letters', { key: admin });
      return r.body.poisonEvents?.length === 1 ? r.body : null;
    });
    expect(letters.poisonEvents[0]).toMatchObject({ error: expect.stringMatching(/range/), event: { type: 'impression' } });
    expect((await http(app.url, 'GET', '/v1/feedback/dead-letters', { key: viewer })).status).toBe(403);
  });

  it('reports delivery by any grouping with CTR/CVR, as JSON and CSV; a funnel per campaign; live series', async () => {
    await eventually(async () => {
      const r = await http(app.url, 'GET', '/v1/reports/delivery?groupBy=campaign', { key: viewer });
      return r.body.rows?.some((row: { served: number }) => row.served > 0) ? true : null;
    });
    const report = await expectOk(http(app.url, 'GET', '/v1/reports/delivery?groupBy=campaign,branch,platform,hour&metrics=served,impressions,clicks,ctr', { key: viewer }));
    expect(report.groupBy).toEqual(['campaign', 'branch', 'platform', 'hour']);
    expect(Object.keys(report.rows[0]).sort()).toEqual(['branch', 'campaignId', 'campaignName', 'clicks', 'ctr', 'hour', 'impressions', 'platform', 'served'].sort());
    const events = await sql<{ type: string; n: number }>('SELECT type, count(*)::int AS n FROM events GROUP BY type');
    const count = (t: string) => events.find((e) => e.type === t)?.n ?? 0;
    expect(report.totals.impressions).toBe(count('impression'));
    expect(report.totals.clicks).toBe(count('click'));
    expect(report.totals.ctr).toBeCloseTo(count('click') / count('impression'), 6);
    const requests = await expectOk(http(app.url, 'GET', '/v1/reports/delivery?groupBy=slot&metrics=requests,served', { key: viewer }));
    expect(requests.rows.find((r: { slotKey: string }) => r.slotKey === 'phone-desktop-banner').requests).toBeGreaterThan(5);

    const csv = await http(app.url, 'GET', '/v1/reports/delivery?groupBy=campaign&metrics=impressions,clicks,ctr&format=csv', { key: viewer });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe('campaignId,campaignName,impressions,clicks,ctr');

    const funnel = await expectOk(http(app.url, 'GET', '/v1/reports/funnel', { key: viewer }));
    const b = funnel.campaigns.find((c: { campaignId: string }) => c.campaignId === seed.ads.B.id);
    expect(b.audienceSize).toBeGreaterThanOrEqual(2);
    expect(b.served).toBeGreaterThan(0);
    expect(b.eligibleRequests).toBeGreaterThanOrEqual(0);

    const live = await expectOk(http(app.url, 'GET', '/v1/reports/live?by=branch&minutes=60', { key: viewer }));
    expect(live.series.length).toBeGreaterThan(0);
    expect((await http(app.url, 'GET', '/v1/reports/delivery?groupBy=colour', { key: viewer })).status).toBe(400);
    expect((await http(app.url, 'GET', '/v1/reports/delivery', { key: client })).status).toBe(403);
    const page = await http(app.url, 'GET', '/console/live');
    expect(page.status).toBe(200);
    expect(page.text).toContain('chart-ctr-campaign');
  });
});
