import { toCsv } from './csv';

describe('toCsv', () => {
  it.each([
    [[['a', 1]], 'h1,h2\r\na,1\r\n'],
    [[['x,y', 'say "hi"']], 'h1,h2\r\n"x,y","say ""hi"""\r\n'],
    [[['=SUM(A1)', null]], "h1,h2\r\n'=SUM(A1),\r\n"],
    [[['line\nbreak', -3]], 'h1,h2\r\n"line\nbreak",-3\r\n'],
  ])('%j', (rows, expected) => {
    expect(toCsv(['h1', 'h2'], rows as (string | number | null)[][])).toBe(expected);
  });
});
