import { findCycleThrough, topologicalOrder } from './package-graph';

const graph = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

describe('findCycleThrough', () => {
  it.each<[string, Record<string, string[]>, string, string[] | null]>([
    ['self reference', { a: ['a'] }, 'a', ['a', 'a']],
    ['two-step cycle', { a: ['b'], b: ['a'] }, 'a', ['a', 'b', 'a']],
    ['cycle through a leaf-rich branch', { a: ['x', 'b'], b: ['y', 'c'], c: ['a'] }, 'a', ['a', 'b', 'c', 'a']],
    ['diamond without a cycle', { a: ['b', 'c'], b: ['d'], c: ['d'] }, 'a', null],
    ['a cycle elsewhere does not count', { a: ['b'], b: ['c'], c: ['b'] }, 'a', null],
    ['no inputs', {}, 'a', null],
  ])('%s', (_label, entries, start, expected) => {
    expect(findCycleThrough(start, graph(entries))).toEqual(expected);
  });
});

describe('topologicalOrder', () => {
  it.each<[string, string[], Record<string, string[]>, string[]]>([
    ['rules first, then combinations over them', ['r2', 'c1', 'r1'], { c1: ['r1', 'r2'] }, ['r1', 'r2', 'c1']],
    ['chain', ['c3', 'c2', 'c1'], { c3: ['c2'], c2: ['c1'], c1: ['u'] }, ['c1', 'c2', 'c3']],
    ['inputs outside the affected set are ignored', ['c2'], { c2: ['c1', 'u'] }, ['c2']],
    ['diamond', ['d', 'b', 'c', 'a'], { d: ['b', 'c'], b: ['a'], c: ['a'] }, ['a', 'b', 'c', 'd']],
    ['a cycle is left out rather than looping', ['x', 'y', 'z'], { x: ['y'], y: ['x'] }, ['z']],
  ])('%s', (_label, affected, entries, expected) => {
    expect(topologicalOrder(new Set(affected), graph(entries))).toEqual(expected);
  });
});
