import { expectOk } from '../support/seed-ads';
import { eventually } from '../support/job-driver.contract';
import { http, startEmbeddedApp, type TestApp } from '../support/test-app';

// A synthetic world: 120 rock listeners and 120 K-pop listeners, each playing 8 of their scene's 20 artists.
const PER_SCENE = 120;
const ARTISTS = 20;
const scenes = ['rock', 'kpop'] as const;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function listeningLines(): { user: string; item: string; plays: number }[] {
  const rand = lcg(7);
  const out: { user: string; item: string; plays: number }[] = [];
  for (const scene of scenes) {
    for (let u = 0; u < PER_SCENE; u++) {
      const picked = new Set<number>();
      while (picked.size < 8) picked.add(Math.floor(rand() * ARTISTS));
      for (const a of picked) out.push({ user: `${scene}-fan-${u}`, item: `${scene}-${a}`, plays: 1 + Math.floor(rand() * 50) });
    }
  }
  return out;
}

describe('listening: import, CF + item2vec on the worker, similar items, lookalike package, CF cold start (embedded, through HTTP)', () => {
  let app: TestApp;
  let admin: string;
  let client: string;
  let lookalikeOfferId: string;
  let rockTourId: string;
  let kpopSingleId: string;

  const decide = (userId: string) => http(app.url, 'POST', '/v1/decisions', { key: client, body: { slotId: 'lk-banner', userId, platform: 'ios', explain: true } });
  const text = (path: string, body: string, type = 'text/plain') => http(app.url, 'POST', path, { key: admin, rawBody: body, headers: { 'content-type': type } });

  beforeAll(async () => {
    app = await startEmbeddedApp({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000', MUSICBOSS_MODEL_BUDGET_MS: '500' });
    admin = app.adminKey;
    client = (await expectOk(http(app.url, 'POST', '/v1/api-keys', { key: admin, body: { name: 'ios app', role: 'slot-client', scope: 'ios' } }))).key;
    const profiles: string[] = [];
    for (const scene of scenes) {
      for (let u = 0; u < PER_SCENE; u++) profiles.push(JSON.stringify({ userId: `${scene}-fan-${u}`, genres: [scene], artists: [`${scene} star`], languages: ['en'] }));
    }
    // Cold listeners: a profile without taste tags; their plays arrive later, as an incremental update.
    profiles.push(JSON.stringify({ userId: 'cold-rock', region: 'east' }), JSON.stringify({ userId: 'cold-kpop', region: 'east' }));
    await expectOk(http(app.url, 'POST', '/v1/profiles/import', { key: admin, rawBody: profiles.join('\n') + '\n', headers: { 'content-type': 'application/x-ndjson' } }));
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('imports plays streamed as Last.fm TSV and NDJSON, reporting malformed lines, and item metadata', async () => {
    const lines = listeningLines();
    const half = Math.floor(lines.length / 2);
    const tsv = 'userID\tartistID\tweight\n' + lines.slice(0, half).map((l) => `${l.user}\t${l.item}\t${l.plays}`).join('\n') + '\nbroken line\n';
    const first = await text('/v1/listening/import', tsv);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: half, rejected: 1, problems: [{ line: half + 2, message: 'expected user<TAB>item<TAB>plays' }] });
    const ndjson = lines.slice(half).map((l) => JSON.stringify({ userId: l.user, itemId: l.item, plays: l.plays })).join('\n') + '\n';
    const second = await text('/v1/listening/import', ndjson, 'application/x-ndjson');
    expect(second.body).toMatchObject({ accepted: lines.length - half, rejected: 0 });

    const items = scenes.flatMap((scene) => Array.from({ length: ARTISTS }, (_, a) => JSON.stringify({ itemId: `${scene}-${a}`, name: `${scene} artist ${a}`, genre: scene, language: scene === 'kpop' ? 'ko' : 'en' })));
    const meta = await text('/v1/listening/items', items.join('\n') + '\n', 'application/x-ndjson');
    expect(meta.body).toMatchObject({ accepted: 2 * ARTISTS, items: 2 * ARTISTS });

    const models = await eventually(async () => {
      const r = await http(app.url, 'GET', '/v1/listening/models', { key: admin });
      return r.body.data?.pairs === lines.length ? r.body : null;
    });
    expect(models.data).toEqual({ listeners: 2 * PER_SCENE, items: 2 * ARTISTS, pairs: lines.length });
    expect((await text('/v1/listening/import?mode=sometimes', 'a\tb\t1\n')).status).toBe(400);
    expect((await text('/v1/listening/import', '{"userId":"a"}\n', 'application/json')).status).toBe(415);
  });

  it('trains CF and item2vec through the worker and shows neighbours side by side', async () => {
    expect((await http(app.url, 'POST', '/v1/listening/train', { key: admin, body: { kind: 'cf', topK: 10 } })).status).toBe(202);
    expect((await http(app.url, 'POST', '/v1/listening/train', { key: admin, body: { kind: 'item2vec', dim: 16, epochs: 20, minCount: 2, seed: 11 } })).status).toBe(202);
    const models = await eventually(async () => {
      const r = await http(app.url, 'GET', '/v1/listening/models', { key: admin });
      return r.body.serving?.cf === 1 && r.body.serving?.item2vec === 1 ? r.body : null;
    }, 60_000);
    expect(models.versions.map((v: { kind: string; version: number }) => `${v.kind}@${v.version}`).sort()).toEqual(['cf@1', 'item2vec@1']);

    const similar = await http(app.url, 'GET', '/v1/items/rock-3/similar?k=5', { key: admin });
    expect(similar.status).toBe(200);
    expect(similar.body.item).toMatchObject({ itemId: 'rock-3', name: 'rock artist 3', genre: 'rock' });
    for (const side of [similar.body.cf.iuf, similar.body.cf.jaccard, similar.body.item2vec]) {
      expect(side).toHaveLength(5);
      expect(side.filter((n: { genre: string }) => n.genre === 'rock').length).toBeGreaterThanOrEqual(4);
    }
    // IUF sims are sorted, positive and below 1.
    const sims = similar.body.cf.iuf.map((n: { sim: number }) => n.sim);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    expect(sims.every((s: number) => s > 0 && s < 1)).toBe(true);
    expect((await http(app.url, 'GET', '/v1/items/nope/similar', { key: admin })).status).toBe(404);
    const map = await http(app.url, 'GET', '/v1/listening/item2vec/map.svg?items=40', { key: admin });
    expect(map.headers.get('content-type')).toContain('image/svg+xml');
    expect(map.text.match(/<circle cx/g)!.length).toBe(40 + 2);
  }, 90_000);

  it('builds a lookalike package from a seed package, with a held-out seed recall report', async () => {
    const seed = Array.from({ length: 30 }, (_, u) => `rock-fan-${u}`);
    await expectOk(http(app.url, 'POST', '/v1/packages', { key: admin, body: { key: 'rock-buyers', name: 'rock album buyers', kind: 'upload' } }));
    await expectOk(http(app.url, 'PUT', '/v1/packages/rock-buyers/members', { key: admin, rawBody: seed.join('\n') + '\n', headers: { 'content-type': 'text/plain' } }));
    const queued = await http(app.url, 'POST', '/v1/packages/lookalike', { key: admin, body: { key: 'rock-lookalike', seedPackage: 'rock-buyers', targetSize: PER_SCENE - 30, seed: 5 } });
    expect(queued.status).toBe(202);
    expect(queued.body.package).toMatchObject({ key: 'rock-lookalike', kind: 'lookalike' });
    const built = await eventually(async () => {
      const r = await http(app.url, 'GET', '/v1/packages/rock-lookalike', { key: admin });
      return r.body.version >= 1 ? r.body : null;
    }, 30_000);
    expect(built.size).toBe(PER_SCENE - 30);
    expect(built.definition).toMatchObject({ seedPackage: 'rock-buyers', targetSize: PER_SCENE - 30, report: { seedSize: 30, seedWithVectors: 30, members: PER_SCENE - 30, item2vecVersion: 1 } });
    expect(built.definition.report.seedRecall).toBeGreaterThanOrEqual(0.8);

    const packagesOf = async (user: string): Promise<string[]> => (await http(app.url, 'GET', `/v1/profiles/${user}`, { key: admin })).body.packages;
    const sample = [40, 55, 70, 85, 100, 115];
    // This node's membership view follows the new version through the configuration change.
    await eventually(async () => ((await packagesOf('rock-fan-40')).length > 0 || (await packagesOf('rock-fan-55')).length > 0 ? true : null));
    const rockIn = (await Promise.all(sample.map((u) => packagesOf(`rock-fan-${u}`)))).filter((p) => p.includes('rock-lookalike')).length;
    const kpopIn = (await Promise.all(sample.map((u) => packagesOf(`kpop-fan-${u}`)))).filter((p) => p.includes('rock-lookalike')).length;
    expect(rockIn).toBeGreaterThanOrEqual(5);
    expect(kpopIn).toBeLessThanOrEqual(1);
    expect(await packagesOf('rock-fan-3')).not.toContain('rock-lookalike');

    const missing = await http(app.url, 'POST', '/v1/packages/lookalike', { key: admin, body: { key: 'x-lookalike', seedPackage: 'nope', targetSize: 10 } });
    expect(missing.status).toBe(400);
  }, 60_000);

  it('a delivery policy targets the lookalike package, and a cold listener is served by the CF scorer, saying so', async () => {
    const slot = await expectOk(http(app.url, 'POST', '/v1/slots', { key: admin, body: { key: 'lk-banner', name: 'Lookalike banner', format: 'banner', platforms: ['ios'], maxAdsPerResponse: 1, adLoadCap: null } }));
    const schedule = { startAt: '2026-01-01T00:00:00+08:00', endAt: '2027-12-31T23:59:59+08:00', timeZone: 'Asia/Shanghai' };
    const campaign = async (name: string, priority: number, tags: { genres: string[]; artists: string[]; languages: string[] }) => {
      const created = await expectOk(http(app.url, 'POST', '/v1/campaigns', { key: admin, body: { name, category: 'digital_album', priority, platforms: ['ios'], slots: [slot.key], schedule, tags, explorationBudget: 0 } }));
      await expectOk(http(app.url, 'POST', `/v1/campaigns/${created.id}/creatives`, { key: admin, body: { type: 'image', formats: ['banner'], title: name, landingUrl: 'https://music.example.com/x', assetUrl: null, weight: 1 } }));
      await expectOk(http(app.url, 'POST', `/v1/campaigns/${created.id}/status`, { key: admin, body: { status: 'active' }, headers: { 'if-match': `"${created.version}"` } }));
      return created.id as string;
    };
    lookalikeOfferId = await campaign('Rock lookalike offer', 40, { genres: [], artists: [], languages: [] });
    rockTourId = await campaign('Rock tour', 50, { genres: [], artists: ['rock artist 1', 'rock artist 2'], languages: [] });
    kpopSingleId = await campaign('K-pop single', 60, { genres: ['kpop'], artists: [], languages: [] });
    await expectOk(
      http(app.url, 'PUT', `/v1/slots/${slot.key}/policy`, {
        key: admin,
        body: {
          branches: [
            { name: 'rock lookalike', audience: { package: 'rock-lookalike' }, campaignIds: [lookalikeOfferId], method: 'designated' },
            { name: 'cold start', audience: 'everyone', campaignIds: [rockTourId, kpopSingleId], method: 'model', modelId: 'cf' },
          ],
        },
      }),
    );
    // The cold listeners' first plays arrive as an incremental update.
    const update = ['cold-rock\trock-1\t3', 'cold-rock\trock-5\t2', 'cold-rock\trock-9\t4', 'cold-kpop\tkpop-2\t5', 'cold-kpop\tkpop-7\t1'].join('\n') + '\n';
    expect((await text('/v1/listening/import?mode=add', update)).body).toMatchObject({ accepted: 5, users: 2 });

    const member = await eventually(async () => {
      const r = await decide('rock-fan-115');
      return r.body.ads?.length === 1 ? r.body : null;
    });
    const inLookalike = (await http(app.url, 'GET', '/v1/profiles/rock-fan-115', { key: admin })).body.packages.includes('rock-lookalike');
    if (inLookalike) expect(member.ads[0]).toMatchObject({ campaignId: lookalikeOfferId, branch: 'rock lookalike', method: 'designated' });
    const anyMember = await Promise.all([40, 55, 70, 85, 100, 115].map((u) => decide(`rock-fan-${u}`)));
    expect(anyMember.filter((r) => r.body.ads[0]?.campaignId === lookalikeOfferId).length).toBeGreaterThanOrEqual(5);
    const kpopFan = await decide('kpop-fan-50');
    expect(kpopFan.body.ads[0]).toMatchObject({ campaignId: kpopSingleId, branch: 'cold start', method: 'model' });

    // K-pop has the higher priority; the CF scorer puts the rock tour first for a cold rock listener.
    const coldRock = await eventually(async () => {
      const r = await decide('cold-rock');
      return r.body.explain?.model?.listenerItems === 3 ? r.body : null;
    });
    expect(coldRock.ads[0]).toMatchObject({ campaignId: rockTourId, branch: 'cold start', method: 'model' });
    expect(coldRock.fallback).toBeNull();
    expect(coldRock.explain.model).toMatchObject({ scorer: 'cf', modelId: 'cf', version: 1, listenerTags: 0 });
    expect(coldRock.explain.model.reason).toMatch(/^cold listener: 0 profile tag\(s\), below the threshold of 3/);
    expect(coldRock.explain.model.affinity[rockTourId]).toBeGreaterThan(coldRock.explain.model.affinity[kpopSingleId]);
    const coldKpop = await decide('cold-kpop');
    expect(coldKpop.body.ads[0].campaignId).toBe(kpopSingleId);
    expect(coldKpop.body.explain.model.scorer).toBe('cf');

    // Campaign-to-campaign similarity: the rock tour's items are rock artists; the K-pop single is not like it.
    const similarToTour = await http(app.url, 'GET', `/v1/listening/campaigns/${rockTourId}/similar`, { key: admin });
    expect(similarToTour.body.items.map((i: { name: string }) => i.name).sort()).toEqual(['rock artist 1', 'rock artist 2']);
    expect(similarToTour.body.similar.map((x: { campaignId: string }) => x.campaignId)).not.toContain(kpopSingleId);
    expect(similarToTour.body.borrowed).toEqual({ ctr: 0, weight: 0 });

    // A listener unknown to the listening data: every affinity is 0, priority decides, and explain says why.
    const stranger = await decide('nobody-at-all');
    expect(stranger.body.ads[0].campaignId).toBe(kpopSingleId);
    expect(stranger.body.explain.model.note).toMatch(/no listening history/);
  }, 60_000);

  it('cold-start settings: thresholds and the warm model are configurable, and explain names the path taken', async () => {
    expect((await http(app.url, 'GET', '/v1/listening/cold-start', { key: admin })).body).toEqual({ modelId: 'cf', warmModelId: null, minListenerTags: 3, minCampaignImpressions: 1000 });
    const set = await http(app.url, 'PUT', '/v1/listening/cold-start', { key: admin, body: { modelId: 'cf', warmModelId: 'ftrl-missing', minListenerTags: 2, minCampaignImpressions: 10 } });
    expect(set.status).toBe(200);
    const warm = await eventually(async () => {
      const r = await decide('kpop-fan-51');
      return r.body.explain?.model?.reason?.includes('ftrl-missing') ? r.body : null;
    });
    expect(warm.explain.model.reason).toBe('warm model ftrl-missing is not loaded on this node');
    expect((await http(app.url, 'PUT', '/v1/listening/cold-start', { key: admin, body: { modelId: 'cf', warmModelId: 'cf', minListenerTags: 2, minCampaignImpressions: 10 } })).status).toBe(400);
    expect((await http(app.url, 'PUT', '/v1/listening/cold-start', { key: admin, body: {} })).status).toBe(400);
  });
});
