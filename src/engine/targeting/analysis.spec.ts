import { RoaringBitmap32 } from 'roaring';
import { AttributeIndex } from './attribute-index';
import { aggregate, binLabels, compare, count, groupBy, overlap } from './analysis';
import { fixturePopulation, IDX_STRIDE } from './fixtures/population';
import type { ListenerProfile } from './profile-schema';

const pop = fixturePopulation();
const index = new AttributeIndex({ numericBuckets: 4 });
index.upsertMany(
  pop.map((p) => p.idx),
  pop.map((p) => p.profile),
);
const everyone = index.universe.clone();
const at = (...is: number[]): RoaringBitmap32 => new RoaringBitmap32(is.map((i) => i * IDX_STRIDE));
// an audience of every third listener plus a few others
const audience = new RoaringBitmap32(pop.filter((_, i) => i % 3 === 0 || i === 7 || i === 44).map((p) => p.idx));

function profilesIn(bitmap: RoaringBitmap32): ListenerProfile[] {
  return pop.filter((p) => bitmap.has(p.idx)).map((p) => p.profile);
}

/** Brute-force group counts: categorical and multi-valued, sorted like groupBy. */
function bruteGroup(bitmap: RoaringBitmap32, attr: string): { value: string; count: number; share: number }[] {
  const members = profilesIn(bitmap);
  const counts = new Map<string, number>();
  for (const p of members) {
    const v = (p as Record<string, unknown>)[attr];
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) counts.set(String(item), (counts.get(String(item)) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([value, c]) => ({ value, count: c, share: c / bitmap.size }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
}

describe('count', () => {
  it.each([
    ['everyone', everyone, 50],
    ['audience', audience, 19],
    ['empty', new RoaringBitmap32(), 0],
  ])('%s', (_n, bitmap, expected) => expect(count(bitmap)).toBe(expected));
});

describe('groupBy categorical and multi-valued equals a brute-force tally', () => {
  it.each(['gender', 'ageBand', 'region', 'cityTier', 'platform', 'vipLevel', 'activityState', 'paidPackage', 'languages', 'genres', 'artists', 'moods', 'tempos'])(
    '%s',
    (attr) => {
      // an audience with users the index does not know (uploaded ids without a profile)
      const withStrangers = audience.clone().add(5).add(1_000_000_000);
      for (const bitmap of [everyone, audience, withStrangers]) {
        for (const strategy of ['auto', 'bitmap', 'scan'] as const) {
          const result = groupBy(index, bitmap, attr, { strategy });
          if (result.kind !== 'ok') throw new Error(result.message);
          expect(result.rows).toEqual(bruteGroup(bitmap, attr));
          expect(result.total).toBe(bitmap.size);
        }
      }
    },
  );

  it.each([
    // vipLevel = 3i mod 8 depends on i mod 8; residues 0 and 1 (→ levels 0 and 3) occur 7 times in 0..49, others 6
    ['vipLevel over everyone', 'vipLevel', 3, [{ value: '0', count: 7 }, { value: '3', count: 7 }, { value: '1', count: 6 }]],
    // paidPackage: 13 true, 27 false, 10 unknown (i % 5 == 0)
    ['paidPackage over everyone', 'paidPackage', undefined, [{ value: 'false', count: 27 }, { value: 'true', count: 13 }]],
  ])('hand golden: %s', (_n, attr, limit, expected) => {
    const result = groupBy(index, everyone, attr, { limit });
    if (result.kind !== 'ok') throw new Error(result.message);
    expect(result.rows.map(({ value, count: c }) => ({ value, count: c }))).toEqual(expected);
  });

  it.each([
    ['region (i % 13 == 0 unknown)', 'region', 4],
    ['paidPackage (i % 5 == 0 unknown)', 'paidPackage', 10],
    ['multi-valued has no missing count', 'genres', null],
    ['monthlyMinutes (i % 9 == 0 unknown)', 'monthlyMinutes', 6],
  ])('missing: %s', (_n, attr, expected) => {
    const result = groupBy(index, everyone, attr, { bins: [100] });
    if (result.kind !== 'ok') throw new Error(result.message);
    expect(result.missing).toBe(expected);
  });
});

describe('groupBy numeric bins', () => {
  it('tenureDays over everyone: hand-counted bins of 13i mod 400', () => {
    // values 0,13,...,390 for i<=30 and 3,16,...,237 for i>=31
    const result = groupBy(index, everyone, 'tenureDays', { bins: [100, 200, 300] });
    if (result.kind !== 'ok') throw new Error(result.message);
    // <100: i=0..7 (8) + i=31..38 (3..94: 8) = 16; [100,200): i=8..15 (8) + i=39..46 (107..198: 8) = 16;
    // [200,300): i=16..23 (8) + i=47..49 (211..237: 3) = 11; >=300: i=24..30 = 7
    expect(result.rows).toEqual([
      { value: '<100', count: 16, share: 16 / 50 },
      { value: '[100,200)', count: 16, share: 16 / 50 },
      { value: '[200,300)', count: 11, share: 11 / 50 },
      { value: '>=300', count: 7, share: 7 / 50 },
    ]);
  });

  it('monthlyMinutes over the audience equals a brute-force binning', () => {
    const bins = [50, 150.5, 400];
    const result = groupBy(index, audience, 'monthlyMinutes', { bins });
    if (result.kind !== 'ok') throw new Error(result.message);
    const values = profilesIn(audience).map((p) => p.monthlyMinutes).filter((v): v is number => v !== undefined);
    const expected = [values.filter((v) => v < 50), values.filter((v) => v >= 50 && v < 150.5), values.filter((v) => v >= 150.5 && v < 400), values.filter((v) => v >= 400)].map((l) => l.length);
    expect(result.rows.map((r) => r.count)).toEqual(expected);
    expect(result.rows.map((r) => r.value)).toEqual(binLabels(bins));
  });

  it.each([
    ['no bins', undefined, 'numeric group-by needs bins (ascending boundaries)'],
    ['unsorted bins', [5, 3], 'bins must be strictly ascending (bins[1] = 3 <= 5)'],
    ['non-finite bin', [1, Infinity], 'bins[1] must be a finite number'],
  ])('rejects %s', (_n, bins, message) => {
    expect(groupBy(index, everyone, 'tenureDays', { bins })).toEqual({ kind: 'error', message });
  });

  it('rejects unknown attributes', () => {
    expect(groupBy(index, everyone, 'shoeSize')).toEqual({ kind: 'error', message: "unknown attribute 'shoeSize'" });
  });
});

describe('aggregate', () => {
  it('tenureDays over everyone: hand-computed', () => {
    // sum of 13i for i<50 minus 400 for each of the 19 users with i >= 31
    expect(aggregate(index, everyone, 'tenureDays')).toEqual({ kind: 'ok', attr: 'tenureDays', count: 50, sum: 8325, avg: 166.5, min: 0, max: 390 });
  });

  it('monthlyMinutes over the audience equals a brute-force sum', () => {
    const values = profilesIn(audience).map((p) => p.monthlyMinutes).filter((v): v is number => v !== undefined);
    const sum = values.reduce((a, b) => a + b, 0);
    expect(aggregate(index, audience, 'monthlyMinutes')).toEqual({
      kind: 'ok',
      attr: 'monthlyMinutes',
      count: values.length,
      sum,
      avg: sum / values.length,
      min: Math.min(...values),
      max: Math.max(...values),
    });
  });

  it.each([
    ['empty audience', new RoaringBitmap32(), 'monthlyMinutes', { kind: 'ok', attr: 'monthlyMinutes', count: 0, sum: 0, avg: null, min: null, max: null }],
    // i = 0 and 9 have no monthlyMinutes
    ['audience without values', at(0, 9), 'monthlyMinutes', { kind: 'ok', attr: 'monthlyMinutes', count: 0, sum: 0, avg: null, min: null, max: null }],
    ['non-numeric attribute', everyone, 'region', { kind: 'error', message: "'region' is categorical, aggregate needs a numeric attribute" }],
  ])('%s', (_n, bitmap, attr, expected) => {
    expect(aggregate(index, bitmap, attr)).toEqual(expected);
  });
});

describe('overlap', () => {
  it('three packages: hand-computed', () => {
    const a = at(1, 2, 3, 4, 5, 6);
    const b = at(4, 5, 6, 7, 8);
    const c = at(6, 8, 9);
    expect(overlap({ a, b, c })).toEqual({
      sizes: { a: 6, b: 5, c: 3 },
      pairs: [
        { a: 'a', b: 'b', intersection: 3, union: 8, jaccard: 3 / 8 },
        { a: 'a', b: 'c', intersection: 1, union: 8, jaccard: 1 / 8 },
        { a: 'b', b: 'c', intersection: 2, union: 6, jaccard: 2 / 6 },
      ],
      all: 1,
    });
  });

  it.each([
    ['no input', {}, { sizes: {}, pairs: [], all: 0 }],
    ['one input', { x: at(1, 2) }, { sizes: { x: 2 }, pairs: [], all: 2 }],
    ['two empties', { x: new RoaringBitmap32(), y: new RoaringBitmap32() }, { sizes: { x: 0, y: 0 }, pairs: [{ a: 'x', b: 'y', intersection: 0, union: 0, jaccard: 0 }], all: 0 }],
  ])('%s', (_n, named, expected) => {
    expect(overlap(named)).toEqual(expected);
  });

  it('four packages: all-way intersection equals brute force', () => {
    const sets = [audience, everyone, at(0, 3, 6, 7, 30, 31), at(3, 6, 7, 8, 44)];
    const result = overlap({ p: sets[0], q: sets[1], r: sets[2], s: sets[3] });
    const brute = pop.filter((p) => sets.every((s) => s.has(p.idx))).length;
    expect(result.all).toBe(brute);
    expect(brute).toBe(3); // i = 3, 6, 7
  });
});

describe('compare', () => {
  it('two audiences by paidPackage and tenure bins: hand-computed', () => {
    // A: i = 3, 5, 10, 15 → paid true, unknown, unknown, unknown; B: i = 1, 2, 3 → false, false, true
    const a = at(3, 5, 10, 15);
    const b = at(1, 2, 3);
    const result = compare(index, a, b, ['paidPackage', 'tenureDays'], { bins: { tenureDays: [50] } });
    // tenure: A = 39, 65, 130, 195 → <50: 1, >=50: 3; B = 13, 26, 39 → <50: 3
    expect(result).toEqual({
      kind: 'ok',
      sizeA: 4,
      sizeB: 3,
      attributes: [
        {
          attr: 'paidPackage',
          rows: [
            { value: 'true', countA: 1, shareA: 0.25, countB: 1, shareB: 1 / 3, lift: 0.25 / (1 / 3) },
            { value: 'false', countA: 0, shareA: 0, countB: 2, shareB: 2 / 3, lift: 0 },
          ],
        },
        {
          attr: 'tenureDays',
          rows: [
            { value: '<50', countA: 1, shareA: 0.25, countB: 3, shareB: 1, lift: 0.25 },
            { value: '>=50', countA: 3, shareA: 0.75, countB: 0, shareB: 0, lift: null },
          ],
        },
      ],
    });
  });

  it('reports a numeric attribute without bins', () => {
    expect(compare(index, audience, everyone, ['monthlyMinutes'])).toEqual({ kind: 'error', message: 'monthlyMinutes: numeric group-by needs bins (ascending boundaries)' });
  });
});
