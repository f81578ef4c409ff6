import { request } from 'node:http';
import { AudienceMembershipService } from '../../src/modules/audiences/audience-membership.service';
import { http, startEmbeddedApp, type TestApp } from '../support/test-app';

/** A listener as the test models it, independently of the engine: the brute-force reference. */
interface Listener {
  userId: string;
  gender?: string;
  ageBand?: string;
  region?: string;
  cityTier?: number;
  platform?: string;
  vipLevel?: number;
  paidPackage?: boolean;
  activityState?: string;
  languages?: string[];
  genres?: string[];
  moods?: string[];
  monthlyMinutes?: number;
  tenureDays?: number;
}

const REGIONS = ['north', 'south', 'east', 'west'];
const GENRES = ['rock', 'pop', 'jazz', 'folk', 'hiphop', 'classical'];
const LANGUAGES = ['zh', 'en', 'ja', 'ko'];
const PLATFORMS = ['ios', 'android', 'pc', 'car'];
const STATES = ['new', 'retained', 'returning', 'active'];
const AGE_BANDS = ['18-24', '25-34', '35-44', '45+'];

/** Deterministic generator (LCG), so the data and therefore every expected number is fixed. */
function generateListeners(from: number, to: number, salt: number): Listener[] {
  let state = (from * 7919 + salt * 104729) >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const some = (list: readonly string[]) => list.filter(() => next() < 0.35);
  const out: Listener[] = [];
  for (let i = from; i < to; i++) {
    const l: Listener = { userId: `u${i}` };
    if (next() < 0.9) l.region = pick(REGIONS);
    if (next() < 0.9) l.gender = pick(['male', 'female', 'other']);
    l.ageBand = pick(AGE_BANDS);
    l.cityTier = 1 + Math.floor(next() * 3);
    l.platform = pick(PLATFORMS);
    l.vipLevel = Math.floor(next() * 8);
    l.paidPackage = next() < 0.3;
    l.activityState = pick(STATES);
    l.languages = some(LANGUAGES);
    l.genres = some(GENRES);
    if (next() < 0.5) l.moods = some(['calm', 'energetic', 'sad']);
    if (next() < 0.85) l.monthlyMinutes = Math.floor(next() * 3000);
    l.tenureDays = Math.floor(next() * 2000);
    out.push(l);
  }
  return out;
}

function toNdjson(listeners: Listener[]): string {
  return listeners.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

function toCsv(listeners: Listener[]): string {
  const header = 'user_id,gender,age_band,region,city_tier,platform,vip_level,paid_package,activity_state,languages,genres,moods,monthly_minutes,tenure_days';
  const cell = (v: unknown) => (v === undefined ? '' : Array.isArray(v) ? v.join('|') : String(v));
  const rows = listeners.map((l) =>
    [l.userId, l.gender, l.ageBand, l.region, l.cityTier, l.platform, l.vipLevel, l.paidPackage, l.activityState, l.languages, l.genres, l.moods, l.monthlyMinutes, l.tenureDays]
      .map(cell)
      .join(','),
  );
  return [header, ...rows].join('\r\n') + '\r\n';
}

/** A streamed (chunked, no Content-Length) upload, so the limit must be enforced while reading. */
function uploadChunked(url: string, path: string, key: string, chunks: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'PUT', agent: false, headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    void (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => (req.once('drain', r), req.once('close', r)));
      }
      req.end();
    })();
  });
}

async function eventually<T>(probe: () => Promise<T | null>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('audiences: profiles, packages, membership and analysis (embedded mode, through HTTP)', () => {
  let app: TestApp;
  let key: string;
  /** userId → latest imported profile: what every count is checked against. */
  const model = new Map<string, Listener>();
  const members = (predicate: (l: Listener) => boolean) => new Set([...model.values()].filter(predicate).map((l) => l.userId));
  const importProfiles = (body: string, contentType: string) => http(app.url, 'POST', '/v1/profiles/import', { key, rawBody: body, headers: { 'content-type': contentType } });
  const uploadMembers = (pkg: string, body: string, query = '', contentType = 'text/plain') =>
    http(app.url, 'PUT', `/v1/packages/${pkg}/members${query}`, { key, rawBody: body, headers: { 'content-type': contentType } });
  const getPackage = async (pkg: string) => (await http(app.url, 'GET', `/v1/packages/${pkg}`, { key })).body;

  // Rule of the rule package, and the same predicate written out by hand.
  const vipRule = {
    and: [{ attr: 'vipLevel', range: { gte: 3 } }, { attr: 'genres', containsAny: ['rock', 'jazz'] }, { not: { attr: 'region', in: ['north'] } }],
  };
  const isVip = (l: Listener) => l.vipLevel! >= 3 && (l.genres ?? []).some((g) => g === 'rock' || g === 'jazz') && l.region !== 'north';
  const uploadedIds = Array.from({ length: 120 }, (_, i) => `u${i * 3}`);

  beforeAll(async () => {
    app = await startEmbeddedApp({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000', MUSICBOSS_UPLOAD_LIMIT_BYTES: '200000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    key = app.adminKey;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('imports NDJSON profiles, reporting bad lines by number and storing the good ones', async () => {
    const listeners = generateListeners(0, 300, 1);
    const lines = toNdjson(listeners).split('\n');
    lines.splice(10, 0, '{"userId":"bad1","vipLevel":9}');
    lines.splice(20, 0, 'not json');
    const result = await importProfiles(lines.join('\n'), 'application/x-ndjson');
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ inserted: 300, updated: 0, rejected: 2 });
    expect(result.body.problems.map((p: { line: number }) => p.line)).toEqual([11, 21]);
    expect(result.body.problems[0].message).toContain('vipLevel');
    for (const l of listeners) model.set(l.userId, l);
  });

  it('re-imports as CSV: existing users are updated, new ones inserted, nobody duplicated, indices dense', async () => {
    const listeners = generateListeners(250, 400, 2);
    const result = await importProfiles(toCsv(listeners), 'text/csv');
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ inserted: 100, updated: 50, rejected: 0 });
    for (const l of listeners) model.set(l.userId, l);
    const rows = await app.api.infra.database.dataSource.query('SELECT count(*)::int AS n, count(DISTINCT user_key)::int AS keys, min(user_idx) AS lo, max(user_idx) AS hi FROM listener_profiles');
    expect(rows[0]).toEqual({ n: 400, keys: 400, lo: 0, hi: 399 });
    const stored = await app.api.infra.database.dataSource.query(`SELECT attributes FROM listener_profiles WHERE user_key = 'u260'`);
    const expected = model.get('u260')!;
    expect(stored[0].attributes).toMatchObject({ vipLevel: String(expected.vipLevel), tenureDays: expected.tenureDays, platform: expected.platform });
  });

  it('answers 415 for a wrong media type and 413 above the upload limit', async () => {
    expect((await http(app.url, 'POST', '/v1/profiles/import', { key, body: { userId: 'x' } })).status).toBe(415);
    const big = await importProfiles('{"userId":"big"}\n'.repeat(20_000), 'application/x-ndjson');
    expect(big.status).toBe(413);
    expect(big.body.message).toContain('200000');
    // A text body sent to a JSON route is an ordinary 400, not a crash of the streamed-body parser.
    expect((await http(app.url, 'POST', '/v1/api-keys', { key, rawBody: 'hello', headers: { 'content-type': 'text/plain' } })).status).toBe(400);
    expect((await http(app.url, 'POST', '/v1/packages', { key, rawBody: 'a,b\n', headers: { 'content-type': 'text/csv' } })).status).toBe(400);
  });

  it('upload package: all-or-nothing refuses a list with bad lines and stores nothing; partial stores the good lines', async () => {
    expect((await http(app.url, 'POST', '/v1/packages', { key, body: { key: 'uploaded', name: 'uploaded list', kind: 'upload' } })).status).toBe(201);
    const lines = ['user_id', ...uploadedIds.slice(0, 50), 'bad id', ...uploadedIds.slice(50), 'ghost-1', 'x'.repeat(200), 'ghost-2'];
    const body = lines.join('\n') + '\n';
    const strict = await uploadMembers('uploaded', body);
    expect(strict.status).toBe(400);
    expect(strict.body.report).toMatchObject({ isStored: false, accepted: 122, rejected: 2, unknown: 2, members: 120 });
    expect(strict.body.report.problems.map((p: { line: number }) => p.line)).toEqual([52, 124]);
    expect(await getPackage('uploaded')).toMatchObject({ version: 0, size: 0, status: 'pending' });

    const partial = await uploadMembers('uploaded', body, '?partial=true');
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ isStored: true, accepted: 122, rejected: 2, unknown: 2, members: 120 });
    expect(partial.body.unknownUsers).toEqual([
      { line: 123, userKey: 'ghost-1' },
      { line: 125, userKey: 'ghost-2' },
    ]);
    expect(await getPackage('uploaded')).toMatchObject({ version: 1, size: 120, status: 'ready' });
    const csv = await uploadMembers('uploaded', 'score,uid\n0.5,u1\n0.7,u2\n', '', 'text/csv');
    expect(csv.body).toMatchObject({ isStored: true, accepted: 2, members: 2 });
    expect((await uploadMembers('uploaded', body, '?partial=true')).status).toBe(200);
  });

  it('refuses member lists for non-upload packages, unknown packages and JSON bodies', async () => {
    expect((await uploadMembers('nope', 'u1\n')).status).toBe(404);
    expect((await http(app.url, 'PUT', '/v1/packages/uploaded/members', { key, body: {} })).status).toBe(415);
  });

  it('rule and combination packages match a brute-force computation over the imported profiles', async () => {
    const rule = await http(app.url, 'POST', '/v1/packages', { key, body: { key: 'vip-rock', name: 'vip rock', kind: 'rule', rule: vipRule } });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ kind: 'rule', version: 1, size: members(isVip).size, definition: vipRule });
    expect(members(isVip).size).toBeGreaterThan(10);

    const uploaded = new Set(uploadedIds);
    for (const [op, expected] of [
      ['union', new Set([...members(isVip), ...uploaded])],
      ['intersection', new Set([...members(isVip)].filter((u) => uploaded.has(u)))],
      ['difference', new Set([...members(isVip)].filter((u) => !uploaded.has(u)))],
    ] as const) {
      const created = await http(app.url, 'POST', '/v1/packages', { key, body: { key: `combo-${op}`, name: op, kind: 'combination', op, packages: ['vip-rock', 'uploaded'] } });
      expect(created.status).toBe(201);
      expect(created.body.size).toBe(expected.size);
    }
  });

  it.each([
    [{ key: 'x1', name: 'x', kind: 'lookalike' }, 'kind', 'lookalike packages are created by the lookalike endpoint'],
    [{ key: 'x2', name: 'x', kind: 'rule', rule: { and: [{ attr: 'shoeSize', in: ['9'] }] } }, 'rule.and[0].attr', "unknown attribute 'shoeSize'"],
    [{ key: 'x3', name: 'x', kind: 'rule', rule: { attr: 'genres', in: ['rock'] } }, 'rule.in', "operator 'in' does not apply to multi attribute 'genres' (use containsAny or containsAll)"],
    [{ key: 'x4', name: 'x', kind: 'combination', op: 'union', packages: ['uploaded', 'missing'] }, 'packages', 'unknown package(s): missing'],
    [{ key: 'x5', name: 'x', kind: 'combination', op: 'union', packages: ['x5', 'uploaded'] }, 'packages', 'cycle: x5 → x5'],
    [{ key: 'x6', name: 'x', kind: 'upload', rule: { attr: 'region', in: ['east'] } }, 'rule', 'rule does not apply to upload packages'],
    [{ key: 'Bad Key', name: 'x', kind: 'upload' }, 'key', 'key must be 1-100 characters of a-z, 0-9, . _ - starting with a letter or digit'],
  ])('refuses package %j with a 400 naming %s', async (body, field, problem) => {
    const result = await http(app.url, 'POST', '/v1/packages', { key, body });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual(expect.arrayContaining([{ field, problems: [problem] }]));
  });

  it('refuses a combination definition that would form a cycle, and a duplicate key', async () => {
    await http(app.url, 'POST', '/v1/packages', { key, body: { key: 'layer2', name: 'l2', kind: 'combination', op: 'union', packages: ['combo-union'] } });
    const cyclic = await http(app.url, 'PUT', '/v1/packages/combo-union', { key, body: { packages: ['vip-rock', 'layer2'] } });
    expect(cyclic.status).toBe(400);
    expect(cyclic.body.errors).toEqual([{ field: 'packages', problems: ['cycle: combo-union → layer2 → combo-union'] }]);
    expect((await http(app.url, 'POST', '/v1/packages', { key, body: { key: 'uploaded', name: 'again', kind: 'upload' } })).status).toBe(409);
  });

  it('analyzes a package: count, group by (multi-valued and numeric bins) and aggregates equal brute force', async () => {
    const audience = [...model.values()].filter(isVip);
    const result = await http(app.url, 'POST', '/v1/audiences/analyze', {
      key,
      body: { package: 'vip-rock', groupBy: ['region', 'genres', 'vipLevel', 'paidPackage', 'monthlyMinutes'], aggregate: ['monthlyMinutes', 'tenureDays'], bins: { monthlyMinutes: [500, 1500] } },
    });
    expect(result.status).toBe(200);
    expect(result.body.count).toBe(audience.length);
    const groups = Object.fromEntries(result.body.groups.map((g: { attr: string; rows: { value: string; count: number }[] }) => [g.attr, Object.fromEntries(g.rows.map((r) => [r.value, r.count]))]));
    const tally = (values: (string | undefined)[]) => {
      const out: Record<string, number> = {};
      for (const v of values) if (v !== undefined) out[v] = (out[v] ?? 0) + 1;
      return out;
    };
    expect(groups.region).toEqual(tally(audience.map((l) => l.region)));
    expect(groups.genres).toEqual(tally(audience.flatMap((l) => l.genres ?? [])));
    expect(groups.vipLevel).toEqual(tally(audience.map((l) => String(l.vipLevel))));
    expect(groups.paidPackage).toEqual(tally(audience.map((l) => String(l.paidPackage))));
    const bin = (m: number | undefined) => (m === undefined ? undefined : m < 500 ? '<500' : m < 1500 ? '[500,1500)' : '>=1500');
    expect(groups.monthlyMinutes).toEqual({ '<500': 0, '[500,1500)': 0, '>=1500': 0, ...tally(audience.map((l) => bin(l.monthlyMinutes))) });
    const region = result.body.groups.find((g: { attr: string }) => g.attr === 'region');
    expect(region.missing).toBe(audience.filter((l) => l.region === undefined).length);

    const minutes = audience.map((l) => l.monthlyMinutes).filter((m): m is number => m !== undefined);
    const sum = minutes.reduce((a, b) => a + b, 0);
    expect(result.body.aggregates[0]).toEqual({ attr: 'monthlyMinutes', count: minutes.length, sum, avg: sum / minutes.length, min: Math.min(...minutes), max: Math.max(...minutes) });
    const tenure = audience.map((l) => l.tenureDays!);
    expect(result.body.aggregates[1]).toMatchObject({ attr: 'tenureDays', count: tenure.length, sum: tenure.reduce((a, b) => a + b, 0) });
  });

  it('analyzes an ad-hoc rule (ordinal range, boolean, numeric range, containsAll, or/not)', async () => {
    const rule = {
      or: [
        { and: [{ attr: 'cityTier', range: { lte: 2 } }, { attr: 'paidPackage', in: [true] }] },
        { and: [{ attr: 'monthlyMinutes', range: { gte: 1000, lt: 2000 } }, { attr: 'languages', containsAll: ['zh', 'en'] }] },
        { not: { attr: 'activityState', in: ['new', 'retained', 'returning', 'active'] } },
      ],
    };
    const predicate = (l: Listener) =>
      (l.cityTier! <= 2 && l.paidPackage === true) ||
      (l.monthlyMinutes !== undefined && l.monthlyMinutes >= 1000 && l.monthlyMinutes < 2000 && ['zh', 'en'].every((x) => (l.languages ?? []).includes(x)));
    const result = await http(app.url, 'POST', '/v1/audiences/analyze', { key, body: { rule, groupBy: ['platform'], limit: 2 } });
    expect(result.status).toBe(200);
    expect(result.body.count).toBe(members(predicate).size);
    expect(result.body.groups[0].rows).toHaveLength(2);
  });

  it.each([
    [{ rule: { attr: 'vipLevel', containsAny: ['3'] } }, 'rule.containsAny'],
    [{ package: 'nope' }, 'package'],
    [{ package: 'vip-rock', rule: { attr: 'region', in: ['east'] } }, 'rule'],
    [{ package: 'vip-rock', groupBy: ['shoeSize'] }, 'groupBy.0'],
    [{ package: 'vip-rock', groupBy: ['tenureDays'] }, 'bins.tenureDays'],
    [{ package: 'vip-rock', aggregate: ['region'] }, 'aggregate.0'],
    [{ package: 'vip-rock', groupBy: ['monthlyMinutes'], bins: { monthlyMinutes: [5, 'x'] } }, 'bins.monthlyMinutes'],
    [{ package: 'vip-rock', groupBy: ['monthlyMinutes'], bins: { monthlyMinutes: [9, 3] } }, 'bins.monthlyMinutes'],
    [{ package: 'vip-rock', groupBy: ['region'], bins: { region: [1] } }, 'bins.region'],
    [{ rule: [] }, 'rule'],
    [{ rule: { attr: 'monthlyMinutes', range: { gte: 10, lt: 5 } } }, 'rule.range'],
    [{ rule: JSON.parse('{"not":'.repeat(40) + '{"attr":"region","in":["east"]}' + '}'.repeat(40)) }, 'rule.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not'],
    [{ package: 'vip-rock', limit: -1 }, 'limit'],
  ])('analysis refuses %j with a 400 naming %s', async (body, field) => {
    const result = await http(app.url, 'POST', '/v1/audiences/analyze', { key, body });
    expect(result.status).toBe(400);
    expect(result.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('computes overlap (sizes, pairwise intersections, Jaccard, all-way) equal to brute force', async () => {
    const vip = members(isVip);
    const uploaded = new Set(uploadedIds);
    const union = new Set([...vip, ...uploaded]);
    const result = await http(app.url, 'POST', '/v1/audiences/overlap', { key, body: { packages: ['vip-rock', 'uploaded', 'combo-union'] } });
    expect(result.status).toBe(200);
    const inter = (a: Set<string>, b: Set<string>) => [...a].filter((x) => b.has(x)).length;
    expect(result.body.sizes).toEqual({ 'vip-rock': vip.size, uploaded: 120, 'combo-union': union.size });
    expect(result.body.pairs[0]).toEqual({ a: 'vip-rock', b: 'uploaded', intersection: inter(vip, uploaded), union: union.size, jaccard: inter(vip, uploaded) / union.size });
    expect(result.body.pairs[2]).toMatchObject({ a: 'uploaded', b: 'combo-union', intersection: 120, jaccard: 120 / union.size });
    expect(result.body.all).toBe(inter(vip, uploaded));
    expect((await http(app.url, 'POST', '/v1/audiences/overlap', { key, body: { packages: ['vip-rock'] } })).status).toBe(400);
  });

  it('compares two packages side by side over chosen attributes', async () => {
    const result = await http(app.url, 'POST', '/v1/audiences/compare', { key, body: { a: 'uploaded', b: 'vip-rock', attributes: ['vipLevel', 'region'] } });
    expect(result.status).toBe(200);
    const uploaded = uploadedIds.map((id) => model.get(id)!);
    const vip = [...model.values()].filter(isVip);
    expect(result.body).toMatchObject({ sizeA: 120, sizeB: vip.length });
    const level3 = result.body.attributes[0].rows.find((r: { value: string }) => r.value === '3');
    const a3 = uploaded.filter((l) => l.vipLevel === 3).length;
    const b3 = vip.filter((l) => l.vipLevel === 3).length;
    expect(level3).toEqual({ value: '3', countA: a3, shareA: a3 / 120, countB: b3, shareB: b3 / vip.length, lift: b3 === 0 ? null : a3 / 120 / (b3 / vip.length) });
    expect(result.body.attributes[1].attr).toBe('region');
    expect((await http(app.url, 'POST', '/v1/audiences/compare', { key, body: { a: 'uploaded', b: 'nope', attributes: ['bogus'] } })).body.errors).toEqual([
      { field: 'b', problems: ["unknown package 'nope'"] },
      { field: 'attributes.0', problems: ["unknown attribute 'bogus'"] },
    ]);
  });

  it('recomputes rule packages and the combinations built on them after a profile import', async () => {
    const before = await getPackage('vip-rock');
    const beforeDiff = await getPackage('combo-difference');
    // Everyone in u0..u59 becomes a VIP rock fan in the south.
    const changed = generateListeners(0, 60, 3).map((l) => ({ ...l, vipLevel: 7, genres: ['rock'], region: 'south' }));
    expect((await importProfiles(toNdjson(changed), 'application/x-ndjson')).body).toMatchObject({ inserted: 0, updated: 60 });
    for (const l of changed) model.set(l.userId, l);
    const uploaded = new Set(uploadedIds);
    const expectedDiff = [...members(isVip)].filter((u) => !uploaded.has(u)).length;
    const vip = await eventually(async () => {
      const p = await getPackage('vip-rock');
      return p.version > before.version ? p : null;
    });
    expect(vip.size).toBe(members(isVip).size);
    const diff = await eventually(async () => {
      const p = await getPackage('combo-difference');
      return p.version > beforeDiff.version && p.size === expectedDiff ? p : null;
    });
    expect(diff.size).toBe(expectedDiff);
    const versions = await http(app.url, 'GET', '/v1/packages/vip-rock/versions', { key });
    expect(versions.body.map((v: { version: number }) => v.version)).toEqual([vip.version, before.version]);
  });

  it('swaps a new package version into AudienceMembershipService.current(): version and membership', async () => {
    const membership = app.api.app.get(AudienceMembershipService);
    const before = membership.current();
    const versionBefore = before.packageVersions.get('uploaded')!;
    expect(before.isMember('uploaded', 'u3')).toBe(true);
    expect(before.isMember('uploaded', 'u4')).toBe(false);
    expect(before.isMember('uploaded', 'ghost-1')).toBe(false);
    expect(before.isMember('no-such-package', 'u3')).toBe(false);

    expect((await uploadMembers('uploaded', 'u4\nu5\n')).status).toBe(200);
    const after = membership.current();
    expect(after).not.toBe(before);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.packageVersions.get('uploaded')).toBe(versionBefore + 1);
    expect(after.isMember('uploaded', 'u3')).toBe(false);
    expect(after.isMember('uploaded', 'u4')).toBe(true);
    // the old snapshot is immutable: a reader holding it sees one consistent version
    expect(before.isMember('uploaded', 'u3')).toBe(true);
    // the combination built on it follows (queued recompute)
    await eventually(async () => (membership.current().isMember('combo-union', 'u4') ? true : null));
    expect(membership.current().isMember('combo-intersection', 'u3')).toBe(false);

    const rollback = await http(app.url, 'POST', '/v1/packages/uploaded/rollback', { key, body: { version: versionBefore } });
    expect(rollback.body).toMatchObject({ version: versionBefore + 2, size: 120 });
    expect(membership.current().isMember('uploaded', 'u3')).toBe(true);

    const listener = await http(app.url, 'GET', '/v1/profiles/u3', { key });
    expect(listener.status).toBe(200);
    expect(listener.body).toMatchObject({ userKey: 'u3', userIdx: 3, profile: { vipLevel: String(model.get('u3')!.vipLevel), tenureDays: model.get('u3')!.tenureDays } });
    expect(listener.body.packages).toContain('uploaded');
    expect(listener.body.packages.includes('vip-rock')).toBe(isVip(model.get('u3')!));
    expect((await http(app.url, 'GET', '/v1/profiles/ghost-1', { key })).status).toBe(404);
  });

  it('refuses to delete a package that a delivery policy or a combination uses, naming the user', async () => {
    const db = app.api.infra.database.dataSource;
    const [slot] = await db.query(`INSERT INTO slots (key, name, format, platforms, max_ads_per_response) VALUES ('home-banner', 'Home banner', 'banner', '{ios}', 1) RETURNING id`);
    const branches = [
      { name: 'everyone', audience: 'everyone', campaignIds: [], method: 'priority', modelId: null, arms: null },
      { name: 'targeted', audience: { and: [{ package: 'vip-rock' }, { not: { package: 'layer2' } }] }, campaignIds: [], method: 'priority', modelId: null, arms: null },
    ];
    await db.query('INSERT INTO delivery_policies (slot_id, branches) VALUES ($1, $2::jsonb)', [slot.id, JSON.stringify(branches)]);

    const byPolicy = await http(app.url, 'DELETE', '/v1/packages/layer2', { key });
    expect(byPolicy.status).toBe(409);
    expect(byPolicy.body.message).toBe("package 'layer2' is in use by delivery policy of slot 'home-banner' (branch 'targeted')");
    const byCombination = await http(app.url, 'DELETE', '/v1/packages/combo-union', { key });
    expect(byCombination.status).toBe(409);
    expect(byCombination.body.message).toContain("combination package 'layer2'");

    expect((await http(app.url, 'DELETE', '/v1/packages/combo-intersection', { key })).status).toBe(204);
    expect((await http(app.url, 'GET', '/v1/packages/combo-intersection', { key })).status).toBe(404);
    expect(app.api.app.get(AudienceMembershipService).current().packageVersions.has('combo-intersection')).toBe(false);
    expect((await http(app.url, 'DELETE', '/v1/packages/combo-intersection', { key })).status).toBe(404);
  });

  it('answers 413 for a chunked member upload that streams past the limit, and stores nothing', async () => {
    const before = await getPackage('uploaded');
    const result = await uploadChunked(app.url, '/v1/packages/uploaded/members', key, Array.from({ length: 50 }, () => 'u1\n'.repeat(2000)));
    expect(result.status).toBe(413);
    expect(JSON.parse(result.text).message).toBe('upload is larger than the limit of 200000 bytes (MUSICBOSS_UPLOAD_LIMIT_BYTES)');
    expect((await getPackage('uploaded')).version).toBe(before.version);
  });

  it('lists packages for a viewer, and keeps writes for operators', async () => {
    const viewer = await http(app.url, 'POST', '/v1/api-keys', { key, body: { name: 'viewer', role: 'viewer' } });
    const list = await http(app.url, 'GET', '/v1/packages', { key: viewer.body.key });
    expect(list.status).toBe(200);
    expect(list.body.map((p: { key: string }) => p.key)).toEqual(['combo-difference', 'combo-union', 'layer2', 'uploaded', 'vip-rock']);
    expect((await http(app.url, 'PUT', '/v1/packages/uploaded/members', { key: viewer.body.key, rawBody: 'u1\n', headers: { 'content-type': 'text/plain' } })).status).toBe(403);
    expect((await http(app.url, 'POST', '/v1/profiles/import', { rawBody: '{}\n', headers: { 'content-type': 'application/x-ndjson' } })).status).toBe(401);
  });
});

describe('npm run import:profiles (the CLI, embedded mode)', () => {
  const { execFile } = require('node:child_process') as typeof import('node:child_process');
  const { mkdtempSync, rmSync, writeFileSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'musicboss-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const runCli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'src/cli/import-profiles.ts', ...args],
        { env: { PATH: process.env.PATH ?? '', MUSICBOSS_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent' }, cwd: `${__dirname}/../..` },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('imports a CSV file, then re-imports it as updates, through the same service as HTTP', async () => {
    const file = join(dir, 'listeners.csv');
    writeFileSync(file, toCsv(generateListeners(0, 20, 9)) + 'u99,robot,,,,,,,,,,,,\n');
    const first = await runCli([file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/: 20 inserted, 0 updated, 1 rejected, revision \d+\n {2}line 22: gender must be one of male, female, other, unknown, got 'robot'\n/);
    const second = await runCli([file]);
    expect(second.stdout).toContain(': 0 inserted, 20 updated, 1 rejected');
  }, 120_000);

  it('exits 2 with a usage line without a file', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: npm run import:profiles -- FILE');
  }, 60_000);
});
