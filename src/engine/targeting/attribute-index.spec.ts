import { AttributeIndex, forEachMemberPage, LIST_DOMAIN_VALUES, MASK_DOMAIN_VALUES, MEMBER_PAGE } from './attribute-index';
import { RoaringBitmap32 } from 'roaring';
import { fixturePopulation, POPULATION_SIZE } from './fixtures/population';
import type { ListenerProfile, ProfileAttribute } from './profile-schema';

/** profileOf lists multi-valued attributes sorted; compare against the same ordering. */
function sortedLists(profile: ListenerProfile): ListenerProfile {
  const out: Record<string, unknown> = { ...profile };
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v)) out[k] = [...v].sort();
  return out as ListenerProfile;
}

function loaded(numericBuckets = 4): AttributeIndex {
  const index = new AttributeIndex({ numericBuckets });
  const pop = fixturePopulation();
  index.upsertMany(
    pop.map((p) => p.idx),
    pop.map((p) => p.profile),
  );
  return index;
}

/** Every (attr, value) → sorted member list, read back from the index. */
function snapshot(index: AttributeIndex): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const attrs: ProfileAttribute[] = ['gender', 'ageBand', 'region', 'cityTier', 'platform', 'vipLevel', 'activityState', 'paidPackage', 'languages', 'genres', 'artists', 'moods', 'tempos'];
  for (const attr of attrs) for (const v of index.values(attr)) out[`${attr}=${v}`] = index.valueBitmap(attr, v)!.toArray();
  for (const attr of ['monthlyMinutes', 'tenureDays'] as const) {
    const col = index.numericColumn(attr)!;
    out[`${attr}.present`] = col.present.toArray();
    out[`${attr}.values`] = col.present.toArray().map((i) => col.values[i]);
  }
  out.universe = index.universe.toArray();
  for (const attr of attrs) {
    const column = index.codeColumn(attr);
    if (column) out[`${attr}.codes`] = out.universe.map((idx) => column.valueOfCode[column.codes[idx]] as unknown as number);
  }
  return out;
}

/**
 * Each user's profile lists exactly the values `held` gives it (null: the user was removed), and each
 * value's bitmap holds exactly the users that hold it.
 */
function expectHeldValues(index: AttributeIndex, attr: 'artists' | 'moods', users: readonly number[], held: (u: number) => string[] | null): void {
  const members = new Map<string, number[]>();
  for (const u of users) {
    const values = held(u);
    const sorted = values === null ? null : [...new Set(values)].sort();
    const profile = index.profileOf(u);
    if (sorted === null) expect(profile).toBeNull();
    else expect(profile?.[attr] ?? []).toEqual(sorted);
    for (const v of sorted ?? []) members.set(v, [...(members.get(v) ?? []), u]);
  }
  expect(index.values(attr)).toEqual([...members.keys()].sort());
  for (const [value, holders] of members) expect(index.valueBitmap(attr, value)!.toArray()).toEqual(holders);
}

describe('AttributeIndex', () => {
  it('upsert one by one and upsertMany build the same index, and profiles read back unchanged', () => {
    const one = new AttributeIndex();
    for (const { idx, profile } of fixturePopulation()) expect(one.upsert(idx, profile)).toEqual({ isNew: true });
    const many = loaded();
    expect(snapshot(one)).toEqual(snapshot(many));
    expect(many.size).toBe(POPULATION_SIZE);
    for (const { idx, profile } of fixturePopulation()) expect(many.profileOf(idx)).toEqual(sortedLists(profile));
  });

  it.each<[string, ProfileAttribute, string[]]>([
    ['closed categorical', 'vipLevel', ['0', '1', '2', '3', '4', '5', '6', '7']],
    ['ordinal sorts numerically', 'cityTier', ['1', '2', '3']],
    ['boolean', 'paidPackage', ['false', 'true']],
    ['multi', 'tempos', ['fast', 'slow']],
    ['numeric has no values', 'tenureDays', []],
  ])('values(%s)', (_name, attr, expected) => {
    expect(loaded().values(attr)).toEqual(expected);
  });

  it.each<[string, 'upsert' | 'upsertMany']>([
    ['single upsert', 'upsert'],
    ['batch upsert (andNot path)', 'upsertMany'],
  ])('re-import removes the user from old values (%s)', (_name, how) => {
    const index = loaded();
    index.numericRange('monthlyMinutes', { gte: 0 }); // build buckets so they must be maintained too
    const pop = fixturePopulation();
    // every user re-imported with a different profile: i → profile of (i + 1) mod N, some attributes dropped
    const next = pop.map(({ idx }, i) => {
      const p: ListenerProfile = { ...pop[(i + 1) % POPULATION_SIZE].profile };
      if (i % 2 === 0) delete p.genres;
      if (i % 3 === 0) delete p.monthlyMinutes;
      return { idx, profile: p };
    });
    if (how === 'upsert') for (const { idx, profile } of next) expect(index.upsert(idx, profile)).toEqual({ isNew: false });
    else expect(index.upsertMany(next.map((n) => n.idx), next.map((n) => n.profile))).toEqual({ inserted: 0, replaced: POPULATION_SIZE });
    const fresh = new AttributeIndex({ numericBuckets: 4 });
    fresh.upsertMany(next.map((n) => n.idx), next.map((n) => n.profile));
    expect(snapshot(index)).toEqual(snapshot(fresh));
    for (const { idx, profile } of next) expect(index.profileOf(idx)).toEqual(sortedLists(profile));
    // buckets were maintained: ranges still equal a scan of the new values
    const expected = next.filter((n) => n.profile.monthlyMinutes !== undefined && n.profile.monthlyMinutes >= 100 && n.profile.monthlyMinutes < 333).map((n) => n.idx);
    expect(index.numericRange('monthlyMinutes', { gte: 100, lt: 333 }).toArray()).toEqual(expected);
  });

  it('values nobody holds any more disappear from values()', () => {
    const index = new AttributeIndex();
    index.upsert(7, { region: 'GD', genres: ['pop', 'jazz'] });
    index.upsert(7, { region: 'BJ', genres: ['pop'] });
    expect(index.values('region')).toEqual(['BJ']);
    expect(index.values('genres')).toEqual(['pop']);
    expect(index.hasValue('region', 'GD', 7)).toBe(false);
    expect(index.hasValue('region', 'BJ', 7)).toBe(true);
  });

  it('a batch that repeats an index keeps the last profile', () => {
    const index = new AttributeIndex();
    expect(index.upsertMany([5, 9, 5], [{ region: 'GD' }, { region: 'SH' }, { region: 'BJ', tenureDays: 3 }])).toEqual({ inserted: 2, replaced: 0 });
    expect(index.valueBitmap('region', 'GD')).toBeUndefined();
    expect(index.valueBitmap('region', 'BJ')!.toArray()).toEqual([5]);
    expect(index.numericValue('tenureDays', 5)).toBe(3);
  });

  it('a repeated value inside one multi-valued list counts once', () => {
    const index = new AttributeIndex();
    index.upsert(1, { genres: ['pop', 'pop'] });
    expect(index.valueBitmap('genres', 'pop')!.toArray()).toEqual([1]);
    expect(index.profileOf(1)).toEqual({ genres: ['pop'] });
  });

  it(`a multi-valued attribute passing ${LIST_DOMAIN_VALUES} values gets its code lists from the bitmaps it has, and keeps them up to date`, () => {
    const index = new AttributeIndex();
    const small = Array.from({ length: LIST_DOMAIN_VALUES }, (_, k) => `m${k}`);
    for (let u = 0; u < 200; u++) index.upsert(u, { moods: [small[u % LIST_DOMAIN_VALUES], small[(u * 7) % LIST_DOMAIN_VALUES]] });
    const before = index.approxBytes().columnBytes;
    index.upsert(200, { moods: ['past-the-limit', 'm1'] });
    expect(index.approxBytes().columnBytes).toBeGreaterThan(before); // the column exists now
    const expected = (u: number) => [...new Set([small[u % LIST_DOMAIN_VALUES], small[(u * 7) % LIST_DOMAIN_VALUES]])].sort();
    for (let u = 0; u < 200; u++) expect(index.profileOf(u)).toEqual({ moods: expected(u) });
    expect(index.profileOf(200)).toEqual({ moods: ['m1', 'past-the-limit'] });
    index.upsert(3, { moods: ['m9'] });
    index.remove(4);
    expect(index.profileOf(3)).toEqual({ moods: ['m9'] });
    expect(index.profileOf(4)).toBeNull();
    expect([index.hasValue('moods', 'm3', 3), index.hasValue('moods', 'm21', 3), index.hasValue('moods', 'm9', 3)]).toEqual([false, false, true]);
  });

  it('a large multi-valued domain: profiles read back, and updates and removals leave no value behind', () => {
    const index = new AttributeIndex();
    const artistsOf = (u: number, round: number) => Array.from({ length: (u + round) % 6 }, (_, k) => `a${(u * 7919 + k * 104729 + round) % 5000}`);
    const users = Array.from({ length: 3000 }, (_, u) => u);
    index.upsertMany(users, users.map((u) => ({ artists: artistsOf(u, 0) })));
    for (const u of users) index.upsert(u, { artists: artistsOf(u, 1), region: 'GD' }); // every list replaced one by one
    index.upsertMany(users.slice(0, 1000), users.slice(0, 1000).map((u) => ({ artists: artistsOf(u, 2) }))); // and in a batch
    for (const u of users.filter((u) => u % 10 === 0)) index.remove(u);
    expectHeldValues(index, 'artists', users, (u) => (u % 10 === 0 ? null : artistsOf(u, u < 1000 ? 2 : 1)));
  });

  it.each([
    ['bit masks', 10, true],
    [`probes once past ${MASK_DOMAIN_VALUES} values`, MASK_DOMAIN_VALUES + 8, false],
    [`code lists once past ${LIST_DOMAIN_VALUES} values`, LIST_DOMAIN_VALUES + 36, false],
  ])('a multi-valued domain read through %s: profiles read back, and updates and removals leave no value behind', (_, domain, masked) => {
    const index = new AttributeIndex({ initialCapacityUsers: 16 });
    const moodsOf = (u: number, round: number) => Array.from({ length: (u + round) % 4 }, (__, k) => `m${(u * 31 + k * 7 + round * 3) % domain}`);
    const users = Array.from({ length: 3000 }, (__, u) => u);
    index.upsertMany(users, users.map((u) => ({ moods: moodsOf(u, 0) })));
    for (const u of users.filter((u) => u % 3 === 0)) index.upsert(u, { moods: moodsOf(u, 1), region: 'GD' }); // one by one
    index.upsertMany(users.slice(0, 900), users.slice(0, 900).map((u) => ({ moods: moodsOf(u, 2) }))); // and in a batch
    index.upsertMany(users.slice(2000, 2010), users.slice(2000, 2010).map((u) => ({ moods: moodsOf(u, 3) }))); // a batch small enough to be removed one by one
    for (const u of users.filter((u) => u % 10 === 0)) index.remove(u);
    const roundOf = (u: number) => (u >= 2000 && u < 2010 ? 3 : u < 900 ? 2 : u % 3 === 0 ? 1 : 0);
    expectHeldValues(index, 'moods', users, (u) => (u % 10 === 0 ? null : moodsOf(u, roundOf(u))));
    // Which column answered: the mask is one Uint32 a user (capacity 4,096 here); retired, nothing is left of it.
    const without = new AttributeIndex({ initialCapacityUsers: 16 });
    without.upsertMany(users, users.map((u) => (u % 3 === 0 ? { region: 'GD' } : {})));
    const extraBytes = index.approxBytes().columnBytes - without.approxBytes().columnBytes;
    if (masked) expect(extraBytes).toBe(4 * 4096);
    else if (domain > LIST_DOMAIN_VALUES) expect(extraBytes).toBeGreaterThan(0);
    else expect(extraBytes).toBe(0);
  });

  it('remove takes the user out of everything', () => {
    const index = loaded();
    const { idx } = fixturePopulation()[7];
    expect(index.remove(idx)).toBe(true);
    expect(index.remove(idx)).toBe(false);
    expect(index.profileOf(idx)).toBeNull();
    expect(index.numericValue('tenureDays', idx)).toBeUndefined();
    expect(Object.values(snapshot(index)).some((members) => members.includes(idx))).toBe(false);
  });

  it('numeric columns grow past their initial capacity', () => {
    const index = new AttributeIndex({ initialCapacityUsers: 2 });
    index.upsert(100000, { tenureDays: 12 });
    index.upsert(3, { tenureDays: 4 });
    expect(index.numericValue('tenureDays', 100000)).toBe(12);
    expect(index.numericValue('tenureDays', 3)).toBe(4);
  });

  it.each([[-1], [1.5], [2 ** 32], [NaN]])('rejects user index %p', (bad) => {
    expect(() => new AttributeIndex().upsert(bad, {})).toThrow(RangeError);
  });

  it('approxBytes counts bitmaps and columns and grows with data', () => {
    const empty = new AttributeIndex({ initialCapacityUsers: 16 }).approxBytes();
    const full = loaded().approxBytes();
    // two Float64 numeric columns + eight Uint8 code columns (7 categorical, 1 boolean)
    expect(empty.columnBytes).toBe(2 * 16 * 8 + 8 * 16);
    expect(full.bitmapCount).toBeGreaterThan(40);
    expect(full.bitmapBytes).toBeGreaterThan(empty.bitmapBytes);
    expect(full.totalBytes).toBe(full.bitmapBytes + full.columnBytes);
  });

  it('numericBinBitmaps splits by the bins, and a mutation invalidates the cached split', () => {
    const index = loaded();
    const pop = fixturePopulation();
    const brute = (profiles: { idx: number; profile: ListenerProfile }[], bins: number[]): number[][] =>
      Array.from({ length: bins.length + 1 }, (_, j) =>
        profiles
          .filter(({ profile: p }) => p.monthlyMinutes !== undefined && (j === 0 || p.monthlyMinutes >= bins[j - 1]) && (j === bins.length || p.monthlyMinutes < bins[j]))
          .map((p) => p.idx),
      );
    const bins = [100, 250.5, 400];
    expect(index.numericBinBitmaps('monthlyMinutes', bins).map((b) => b.toArray())).toEqual(brute(pop, bins));
    // more distinct splits than the cache holds, then the first again
    for (let k = 1; k <= 10; k++) expect(index.numericBinBitmaps('monthlyMinutes', [k * 40]).map((b) => b.size)).toEqual(brute(pop, [k * 40]).map((l) => l.length));
    const moved = pop.map((p, i) => (i < 10 ? { idx: p.idx, profile: { ...p.profile, monthlyMinutes: 500 + i } } : p));
    index.upsertMany(moved.slice(0, 10).map((m) => m.idx), moved.slice(0, 10).map((m) => m.profile));
    expect(index.numericBinBitmaps('monthlyMinutes', bins).map((b) => b.toArray())).toEqual(brute(moved, bins));
    index.remove(moved[12].idx);
    expect(index.numericBinBitmaps('monthlyMinutes', bins).map((b) => b.toArray())).toEqual(brute(moved.filter((_, i) => i !== 12), bins));
  });

  it.each([
    ['widens to 16-bit codes past 255 values', 300, 'Uint16Array'],
    ['drops the code column past 65535 values', 70000, 'none'],
  ])('%s', (_name, distinct, expected) => {
    const index = new AttributeIndex();
    const idxs = Array.from({ length: distinct }, (_, i) => i);
    index.upsertMany(idxs, idxs.map((i) => ({ region: `r${i}`, gender: 'male' })));
    const column = index.codeColumn('region');
    expect(column ? column.codes.constructor.name : 'none').toBe(expected);
    expect(index.codeColumn('gender')!.codes.constructor.name).toBe('Uint8Array');
    // re-import still leaves exactly one region per user, by code or by the fallback scan
    index.upsert(distinct - 1, { region: 'r0' });
    index.upsertMany([0, 1], [{ region: 'r1' }, { region: 'zz' }]);
    expect(index.valueBitmap('region', 'r0')!.toArray()).toEqual([distinct - 1]);
    expect(index.valueBitmap('region', 'r1')!.toArray()).toEqual([0]);
    expect(index.valueBitmap('region', 'zz')!.toArray()).toEqual([1]);
    expect(index.valueBitmap('region', `r${distinct - 1}`)).toBeUndefined();
    expect(index.values('gender')).toEqual(['male']);
    expect(index.valueBitmap('gender', 'male')!.size).toBe(distinct - 3);
  });

  it('optimize keeps contents', () => {
    const index = loaded();
    const before = snapshot(index);
    index.optimize();
    expect(snapshot(index)).toEqual(before);
  });
});

describe('forEachMemberPage', () => {
  it.each([[0], [1], [MEMBER_PAGE], [MEMBER_PAGE + 1], [2 * MEMBER_PAGE + 17]])('visits all %p members in order', (n) => {
    const bitmap = new RoaringBitmap32();
    bitmap.addRange(10, 10 + n);
    const seen: number[] = [];
    forEachMemberPage(bitmap, (page, length) => {
      expect(length).toBeLessThanOrEqual(MEMBER_PAGE);
      for (let i = 0; i < length; i++) seen.push(page[i]);
    });
    expect(seen.length).toBe(n);
    expect(seen.every((v, i) => v === 10 + i)).toBe(true);
  });
});
