import { diffValues } from './audit-diff';

describe('diffValues', () => {
  it.each([
    [{ a: 1 }, { a: 1 }, []],
    [{ a: 1 }, { a: 2 }, [{ path: 'a', before: 1, after: 2 }]],
    [{ s: { tz: 'UTC', end: null } }, { s: { tz: 'Asia/Shanghai', end: null } }, [{ path: 's.tz', before: 'UTC', after: 'Asia/Shanghai' }]],
    [{ p: ['ios'] }, { p: ['ios', 'android'] }, [{ path: 'p', before: ['ios'], after: ['ios', 'android'] }]],
    [null, { a: 1 }, [{ path: '$', before: null, after: { a: 1 } }]],
    [{ a: 1, b: 2 }, { a: 1 }, [{ path: 'b', before: 2, after: null }]],
  ])('diff(%j, %j)', (before, after, expected) => {
    expect(diffValues(before, after)).toEqual(expected);
  });
});
