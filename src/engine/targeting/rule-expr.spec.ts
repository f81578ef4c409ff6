import { AttributeIndex } from './attribute-index';
import { bruteForce, fixturePopulation, IDX_STRIDE } from './fixtures/population';
import { evaluateRule, validateRule } from './rule-expr';
import type { RuleExpr } from './rule-expr';

function buildIndex(numericBuckets = 4): AttributeIndex {
  const index = new AttributeIndex({ numericBuckets });
  const pop = fixturePopulation();
  index.upsertMany(
    pop.map((p) => p.idx),
    pop.map((p) => p.profile),
  );
  return index;
}

function run(index: AttributeIndex, expr: unknown): number[] {
  const result = evaluateRule(index, expr);
  if (result.kind !== 'ok') throw new Error(JSON.stringify(result.errors));
  return result.bitmap.toArray();
}

const at = (...is: number[]): number[] => is.map((i) => i * IDX_STRIDE);

describe('evaluateRule: hand-computed golden sets', () => {
  const index = buildIndex();
  it.each<[string, RuleExpr, number[]]>([
    // (3i) % 8 == 0  <=>  i % 8 == 0
    ['vipLevel in [0]', { attr: 'vipLevel', in: [0] }, at(0, 8, 16, 24, 32, 40, 48)],
    // multiples of 3 that are not multiples of 5
    ['paid', { attr: 'paidPackage', in: [true] }, at(3, 6, 9, 12, 18, 21, 24, 27, 33, 36, 39, 42, 48)],
    // region missing for i % 13 == 0
    ['no region', { not: { attr: 'region', in: ['GD', 'BJ', 'SH', 'ZJ', 'SC', 'HB'] } }, at(0, 13, 26, 39)],
    // tenureDays = 13i mod 400 >= 380: i=30 (390) only, since 13i-400 <= 237 for i >= 31
    ['tenure >= 380', { attr: 'tenureDays', range: { gte: 380 } }, at(30)],
    ['tenure < 13', { attr: 'tenureDays', range: { lt: 13 } }, at(0, 31)],
    // i % 16 has bits 0 and 2 => zh and ja
    ['zh and ja', { attr: 'languages', containsAll: ['zh', 'ja'] }, at(5, 7, 13, 15, 21, 23, 29, 31, 37, 39, 45, 47)],
  ])('%s', (_name, expr, expected) => {
    expect(run(index, expr)).toEqual(expected);
    expect(bruteForce(expr)).toEqual(expected);
  });
});

describe('evaluateRule equals a brute-force scan of the profiles', () => {
  const cases: [string, RuleExpr][] = [
    ['in categorical', { attr: 'region', in: ['GD', 'SH'] }],
    ['in with an unknown value', { attr: 'region', in: ['GD', 'XX'] }],
    ['in only unknown values', { attr: 'region', in: ['XX'] }],
    ['in boolean false', { attr: 'paidPackage', in: [false] }],
    ['in boolean as string', { attr: 'paidPackage', in: ['true'] }],
    ['in number on cityTier', { attr: 'cityTier', in: [1, 3] }],
    ['ordinal range on vipLevel', { attr: 'vipLevel', range: { gte: 3 } }],
    ['ordinal range exclusive', { attr: 'vipLevel', range: { gt: 2, lt: 6 } }],
    ['numeric range closed', { attr: 'monthlyMinutes', range: { gte: 100, lte: 300 } }],
    ['numeric range open ends', { attr: 'monthlyMinutes', range: { gt: 100.5, lt: 300 } }],
    ['numeric point range', { attr: 'monthlyMinutes', range: { gte: 37.5, lte: 37.5 } }],
    ['numeric range below all', { attr: 'monthlyMinutes', range: { lt: -1 } }],
    ['numeric range above all', { attr: 'tenureDays', range: { gt: 1000 } }],
    ['containsAny', { attr: 'genres', containsAny: ['jazz', 'edm'] }],
    ['containsAny unknown value', { attr: 'genres', containsAny: ['polka'] }],
    ['containsAll', { attr: 'genres', containsAll: ['pop', 'classical'] }],
    ['containsAll with an unknown value', { attr: 'genres', containsAll: ['pop', 'polka'] }],
    ['containsAll single', { attr: 'artists', containsAll: ['a1'] }],
    ['not', { not: { attr: 'gender', in: ['male'] } }],
    ['double not', { not: { not: { attr: 'gender', in: ['male'] } } }],
    ['and of nots only', { and: [{ not: { attr: 'gender', in: ['male'] } }, { not: { attr: 'platform', in: ['ios'] } }] }],
    ['or', { or: [{ attr: 'platform', in: ['ios'] }, { attr: 'moods', containsAny: ['sad'] }] }],
    ['single-child and', { and: [{ attr: 'ageBand', in: ['18-24'] }] }],
    [
      'typical campaign rule',
      {
        and: [
          { attr: 'region', in: ['GD', 'BJ', 'ZJ'] },
          { attr: 'vipLevel', range: { gte: 3 } },
          { attr: 'genres', containsAny: ['pop', 'rock'] },
          { not: { attr: 'paidPackage', in: [true] } },
        ],
      },
    ],
    [
      'nested mix',
      {
        or: [
          { and: [{ attr: 'activityState', in: ['new'] }, { attr: 'tenureDays', range: { lt: 200 } }] },
          { and: [{ attr: 'tempos', containsAll: ['slow', 'fast'] }, { not: { or: [{ attr: 'cityTier', in: ['1'] }, { attr: 'languages', containsAny: ['en'] }] } }] },
        ],
      },
    ],
  ];
  it.each(cases)('%s', (_name, expr) => {
    const expected = bruteForce(expr);
    expect(run(buildIndex(4), expr)).toEqual(expected);
    // bucket layout must not change results: one bucket (pure scan) and one bucket per value
    expect(run(buildIndex(1), expr)).toEqual(expected);
    expect(run(buildIndex(64), expr)).toEqual(expected);
  });

  it('ranges over many random bounds match the scan', () => {
    const index = buildIndex(5);
    for (let lo = -10; lo <= 520; lo += 23) {
      for (const width of [0, 1, 37.5, 120, 600]) {
        for (const expr of [
          { attr: 'monthlyMinutes', range: { gte: lo, lte: lo + width } },
          { attr: 'monthlyMinutes', range: { gt: lo, lt: lo + width + 0.5 } },
          { attr: 'tenureDays', range: { gt: lo } },
          { attr: 'tenureDays', range: { lte: lo } },
        ] as RuleExpr[]) {
          expect(run(index, expr)).toEqual(bruteForce(expr));
        }
      }
    }
  });

  it('returns a fresh bitmap: mutating the result leaves the index intact', () => {
    const index = buildIndex();
    const expr: RuleExpr = { attr: 'region', in: ['GD'] };
    const first = evaluateRule(index, expr);
    if (first.kind !== 'ok') throw new Error('invalid');
    const size = first.bitmap.size;
    first.bitmap.clear();
    expect(run(index, expr)).toHaveLength(size);
  });

  it('reports invalid rules instead of evaluating them', () => {
    expect(evaluateRule(buildIndex(), { attr: 'nope', in: ['x'] })).toEqual({
      kind: 'invalid',
      errors: [{ path: '$.attr', message: "unknown attribute 'nope'" }],
    });
  });
});

describe('validateRule', () => {
  it.each<[string, unknown, { path: string; message: string }[]]>([
    ['valid rule', { and: [{ attr: 'region', in: ['GD'] }, { not: { attr: 'genres', containsAny: ['pop'] } }] }, []],
    ['not an object', 'everyone', [{ path: '$', message: 'expression must be an object' }]],
    ['unknown attribute', { or: [{ attr: 'regoin', in: ['GD'] }] }, [{ path: '$.or[0].attr', message: "unknown attribute 'regoin'" }]],
    [
      'containsAny on categorical',
      { attr: 'region', containsAny: ['GD'] },
      [{ path: '$.containsAny', message: "operator 'containsAny' does not apply to categorical attribute 'region' (use in)" }],
    ],
    [
      'in on multi-valued',
      { and: [{ attr: 'genres', in: ['pop'] }] },
      [{ path: '$.and[0].in', message: "operator 'in' does not apply to multi attribute 'genres' (use containsAny or containsAll)" }],
    ],
    [
      'range on non-ordinal categorical',
      { attr: 'gender', range: { gte: 1 } },
      [{ path: '$.range', message: "operator 'range' does not apply to categorical attribute 'gender' (use in)" }],
    ],
    [
      'in on numeric',
      { attr: 'tenureDays', in: [3] },
      [{ path: '$.in', message: "operator 'in' does not apply to numeric attribute 'tenureDays' (use range)" }],
    ],
    ['empty in', { attr: 'region', in: [] }, [{ path: '$.in', message: "'in' needs at least one value" }]],
    ['empty containsAll', { attr: 'genres', containsAll: [] }, [{ path: '$.containsAll', message: "'containsAll' needs at least one value" }]],
    ['empty and', { and: [] }, [{ path: '$.and', message: "'and' needs a non-empty list of expressions" }]],
    [
      'value outside closed set',
      { not: { attr: 'vipLevel', in: [3, 9] } },
      [{ path: '$.not.in[1]', message: '9 is not a valid vipLevel (expected one of 0, 1, 2, 3, 4, 5, 6, 7)' }],
    ],
    ['bad boolean', { attr: 'paidPackage', in: ['yes'] }, [{ path: '$.in[0]', message: '"yes" is not a valid paidPackage (expected true or false)' }]],
    ['empty multi value', { attr: 'genres', containsAny: ['pop', ' '] }, [{ path: '$.containsAny[1]', message: 'genres values must be non-empty strings, got " "' }]],
    ['range without bounds', { attr: 'tenureDays', range: {} }, [{ path: '$.range', message: 'range needs at least one of gte, gt, lte, lt' }]],
    ['range inverted', { attr: 'tenureDays', range: { gte: 10, lte: 5 } }, [{ path: '$.range', message: 'range is empty (lower bound 10 is not below upper bound 5)' }]],
    ['range empty by exclusivity', { attr: 'tenureDays', range: { gt: 5, lte: 5 } }, [{ path: '$.range', message: 'range is empty (lower bound 5 is not below upper bound 5)' }]],
    ['range non-number', { attr: 'tenureDays', range: { gte: '5' } }, [{ path: '$.range.gte', message: 'gte must be a finite number, got "5"' }]],
    ['range both gte and gt', { attr: 'tenureDays', range: { gte: 1, gt: 2 } }, [{ path: '$.range', message: 'give either gte or gt, not both' }]],
    ['range unknown key', { attr: 'tenureDays', range: { from: 1, lt: 3 } }, [{ path: '$.range', message: 'unknown range bound(s) from (use gte, gt, lte, lt)' }]],
    [
      'two operators',
      { attr: 'region', in: ['GD'], containsAny: ['x'] },
      [{ path: '$', message: 'attribute test needs exactly one operator of in, range, containsAny, containsAll, got in, containsAny' }],
    ],
    ['and with extra key', { and: [{ attr: 'region', in: ['GD'] }], x: 1 }, [{ path: '$', message: "'and' node must have no other keys, got and, x" }]],
    [
      'several errors at once',
      { and: [{ attr: 'x', in: ['a'] }, { attr: 'region', in: [] }] },
      [
        { path: '$.and[0].attr', message: "unknown attribute 'x'" },
        { path: '$.and[1].in', message: "'in' needs at least one value" },
      ],
    ],
  ])('%s', (_name, expr, expected) => {
    expect(validateRule(expr)).toEqual(expected);
  });

  it('rejects absurd nesting depth', () => {
    let expr: unknown = { attr: 'region', in: ['GD'] };
    for (let i = 0; i < 40; i++) expr = { not: expr };
    const errors = validateRule(expr);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('expression nested deeper than 32 levels');
  });
});
