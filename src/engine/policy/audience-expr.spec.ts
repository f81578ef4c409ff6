import { evaluateAudience, findShadowedBranches, validateAudienceExpr } from './audience-expr';
import type { AudienceExpr } from './snapshot';
import { makeBranch } from '../../../test/support/policy-fixtures';

const KNOWN = new Set(['vip-2024', 'paid-users', 'rock-fans']);

describe('validateAudienceExpr', () => {
  it.each([
    { expr: 'everyone', errors: [] },
    { expr: { and: [{ package: 'vip-2024' }, { not: { package: 'paid-users' } }] }, errors: [] },
    { expr: 'all', errors: ['$'] },
    { expr: null, errors: ['$'] },
    { expr: [], errors: ['$'] },
    { expr: {}, errors: ['$'] },
    { expr: { package: 'vip-2024', or: [] }, errors: ['$'] },
    { expr: { package: 'nope' }, errors: ['$.package'] },
    { expr: { package: 3 }, errors: ['$.package'] },
    { expr: { and: [] }, errors: ['$.and'] },
    { expr: { or: 'x' }, errors: ['$.or'] },
    { expr: { xor: [] }, errors: ['$.xor'] },
    { expr: { and: [{ package: 'vip-2024' }, { not: { package: 'ghost' } }, { or: [{ package: 'rock-fans' }, 7] }] }, errors: ['$.and[1].not.package', '$.and[2].or[1]'] },
  ])('%j', ({ expr, errors }) => {
    expect(validateAudienceExpr(expr, KNOWN).map((e) => e.path)).toEqual(errors);
  });

  it('accepts a predicate for known packages and bounds the depth', () => {
    expect(validateAudienceExpr({ package: 'anything' }, () => true)).toEqual([]);
    let deep: unknown = { package: 'vip-2024' };
    for (let i = 0; i < 40; i++) deep = { not: deep };
    expect(validateAudienceExpr(deep, KNOWN)[0].message).toMatch(/nesting deeper than 32/);
  });
});

describe('evaluateAudience', () => {
  const member = (set: string[]) => (k: string) => set.includes(k);
  const vipNotPaid: AudienceExpr = { and: [{ package: 'vip-2024' }, { not: { package: 'paid-users' } }] };
  it.each([
    { expr: 'everyone' as AudienceExpr, has: [], result: true },
    { expr: { package: 'vip-2024' } as AudienceExpr, has: ['vip-2024'], result: true },
    { expr: { package: 'vip-2024' } as AudienceExpr, has: [], result: false },
    { expr: vipNotPaid, has: ['vip-2024'], result: true },
    { expr: vipNotPaid, has: ['vip-2024', 'paid-users'], result: false },
    { expr: vipNotPaid, has: [], result: false },
    { expr: { or: [{ package: 'a' }, { package: 'b' }] } as AudienceExpr, has: ['b'], result: true },
    { expr: { or: [{ package: 'a' }, { package: 'b' }] } as AudienceExpr, has: [], result: false },
    { expr: { not: 'everyone' } as AudienceExpr, has: [], result: false },
  ])('%j', ({ expr, has, result }) => {
    expect(evaluateAudience(expr, member(has))).toBe(result);
  });

  it('short-circuits: and stops at the first false, or at the first true', () => {
    const asked: string[] = [];
    const m = (k: string) => (asked.push(k), k === 'yes');
    evaluateAudience({ and: [{ package: 'no' }, { package: 'yes' }] }, m);
    evaluateAudience({ or: [{ package: 'yes' }, { package: 'no' }] }, m);
    expect(asked).toEqual(['no', 'yes']);
  });
});

describe('findShadowedBranches', () => {
  it.each([
    {
      title: "earlier 'everyone' with a superset of campaigns hides fully",
      branches: [makeBranch('all', ['a', 'b']), makeBranch('vip', ['a'], { audience: { package: 'vip' } })],
      expected: [{ branchIndex: 1, shadowedByIndex: 0, isFull: true }],
    },
    {
      title: "earlier 'everyone' with other campaigns hides partially",
      branches: [makeBranch('all', ['a']), makeBranch('vip', ['b'], { audience: { package: 'vip' } })],
      expected: [{ branchIndex: 1, shadowedByIndex: 0, isFull: false }],
    },
    {
      title: 'identical expression',
      branches: [
        makeBranch('x', ['a'], { audience: { and: [{ package: 'p' }, { not: { package: 'q' } }] } }),
        makeBranch('y', ['a'], { audience: { and: [{ package: 'p' }, { not: { package: 'q' } }] } }),
      ],
      expected: [{ branchIndex: 1, shadowedByIndex: 0, isFull: true }],
    },
    {
      title: 'different expressions: no warning (no set algebra)',
      branches: [makeBranch('x', ['a'], { audience: { package: 'p' } }), makeBranch('y', ['a'], { audience: { or: [{ package: 'p' }] } })],
      expected: [],
    },
    {
      title: "a trailing 'everyone' fallback is fine",
      branches: [makeBranch('vip', ['a'], { audience: { package: 'vip' } }), makeBranch('all', ['a'])],
      expected: [],
    },
  ])('$title', ({ branches, expected }) => {
    const warnings = findShadowedBranches({ slotId: 's', branches });
    expect(warnings.map(({ branchIndex, shadowedByIndex, isFull }) => ({ branchIndex, shadowedByIndex, isFull }))).toEqual(expected);
  });
});
