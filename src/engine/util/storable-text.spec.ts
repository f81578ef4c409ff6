import { findUnstorableText, isStorableText } from './storable-text';

describe('storable text', () => {
  it.each([
    ['plain', 'hello', true],
    ['CJK and accents', '歌 é', true],
    ['a paired surrogate (emoji)', 'a🎵b', true],
    ['empty', '', true],
    ['NUL', 'a\u0000b', false],
    ['unpaired high surrogate at the end', 'pop\uD83C', false],
    ['unpaired low surrogate at the start', '\uDFB5pop', false],
    ['two high surrogates', '\uD83C\uD83C\uDFB5', false],
  ])('%s', (_name, text, expected) => expect(isStorableText(text)).toBe(expected));

  it.each([
    ['a storable value', { a: ['x', { b: 'y' }], n: 1, z: null, t: true }, null],
    ['the value itself', 'a\u0000', ''],
    ['a nested value', { events: [{ token: 'ok' }, { token: 'x\uD800' }] }, 'events[1].token'],
    ['a key', { context: { ['g\u0000']: 1 } }, 'context.g\u0000'],
    ['the first in document order', { a: 'ok', b: ['\u0000', 'x\uDC00'], c: '\u0000' }, 'b[0]'],
  ])('finds %s', (_name, value, expected) => expect(findUnstorableText(value)).toBe(expected));

  it('walks nesting deeper than the call stack', () => {
    let deep: unknown = 'bad\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toBe(`${'[0]'.repeat(200_000)}`);
  });
});
