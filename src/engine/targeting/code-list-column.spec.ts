import { createRng } from '../util/rng';
import { CodeListColumn } from './code-list-column';

type Op = readonly ['set', number, number[]] | readonly ['clear', number];

describe('CodeListColumn', () => {
  it.each<{ name: string; ops: Op[]; expect: Record<number, number[]> }>([
    { name: 'set then read', ops: [['set', 3, [7, 1, 9]]], expect: { 3: [7, 1, 9], 0: [], 4: [] } },
    { name: 'a shorter list replaces in place', ops: [['set', 0, [1, 2, 3]], ['set', 0, [5]]], expect: { 0: [5] } },
    { name: 'a longer list moves, neighbours keep theirs', ops: [['set', 0, [1]], ['set', 1, [2, 2]], ['set', 0, [3, 4, 5]]], expect: { 0: [3, 4, 5], 1: [2, 2] } },
    { name: 'clear, then set again', ops: [['set', 2, [1, 2]], ['clear', 2], ['set', 2, [8]]], expect: { 2: [8] } },
    { name: 'an empty list is no list', ops: [['set', 1, [4]], ['set', 1, []]], expect: { 1: [] } },
    { name: 'users far past the initial capacity', ops: [['set', 5000, [1]], ['set', 70000, [2, 3]]], expect: { 5000: [1], 70000: [2, 3], 69999: [] } },
    { name: 'clear of a user never set', ops: [['clear', 99999]], expect: { 99999: [] } },
  ])('$name', ({ ops, expect: expected }) => {
    const column = new CodeListColumn(4, 4);
    for (const op of ops) {
      if (op[0] === 'set') column.set(op[1], op[2]);
      else column.clear(op[1]);
    }
    for (const [user, codes] of Object.entries(expected)) expect([...column.get(Number(user))]).toEqual(codes);
  });

  it('built from members in two passes, it reads like one built list by list, and grows from there', () => {
    const members: [number, number][] = [[5, 10], [2, 10], [5, 11], [900, 12], [2, 13]];
    const column = CodeListColumn.fromMembers(4, (visit) => members.forEach(([user, code]) => visit(user, code)));
    expect([[...column.get(2)], [...column.get(5)], [...column.get(900)], [...column.get(3)]]).toEqual([[10, 13], [10, 11], [12], []]);
    expect(column.stats).toEqual({ live: 5, garbage: 0 });
    column.set(2, [1, 2, 3]);
    column.trim();
    expect([[...column.get(2)], [...column.get(5)], column.stats]).toEqual([[1, 2, 3], [10, 11], { live: 6, garbage: 0 }]);
  });

  it('refuses a list longer than its count can hold', () => {
    expect(() => new CodeListColumn().set(0, new Array(0x10000).fill(1))).toThrow(RangeError);
  });

  it('matches a plain map through 20,000 random writes, and compaction keeps the pool under about twice the live codes', () => {
    const rng = createRng(7);
    const column = new CodeListColumn(16, 16);
    const model = new Map<number, number[]>();
    let maxPoolCodes = 0;
    for (let step = 0; step < 20_000; step++) {
      const user = Math.floor(rng.next() * 500);
      if (rng.next() < 0.2) {
        column.clear(user);
        model.delete(user);
      } else {
        const codes = Array.from({ length: Math.floor(rng.next() * 9) }, () => Math.floor(rng.next() * 100_000));
        column.set(user, codes);
        model.set(user, codes);
      }
      const { live, garbage } = column.stats;
      expect(live).toBe([...model.values()].reduce((sum, list) => sum + list.length, 0));
      maxPoolCodes = Math.max(maxPoolCodes, live + garbage);
      if (step % 997 === 0) for (let u = 0; u < 500; u++) expect([...column.get(u)]).toEqual(model.get(u) ?? []);
    }
    for (let u = 0; u < 500; u++) expect([...column.get(u)]).toEqual(model.get(u) ?? []);
    // 500 users × at most 8 codes live; garbage is compacted away once it passes half of the pool.
    expect(maxPoolCodes).toBeLessThan(3 * 500 * 8);
  });
});
