import { Readable } from 'node:stream';
import { LineTooLongError, MAX_LINE_CHARS, readLineBatches, UploadTooLargeError } from './stream-lines';

async function collect(chunks: (string | Buffer)[], limitBytes = 1_000): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of readLineBatches(Readable.from(chunks), limitBytes)) out.push(...batch);
  return out;
}

describe('readLineBatches', () => {
  it.each<[string, (string | Buffer)[], string[]]>([
    ['lines split across chunks', ['ab', 'c\nde', 'f\n'], ['abc', 'def']],
    ['last line without a newline', ['a\nb'], ['a', 'b']],
    ['CRLF is left for the parsers', ['a\r\nb\r\n'], ['a\r', 'b\r']],
    ['blank lines are kept, so line numbers stay right', ['a\n\nb\n'], ['a', '', 'b']],
    ['a UTF-8 character split between chunks', [Buffer.from([0x61, 0xe4, 0xb8]), Buffer.from([0xad, 0x0a])], ['a中']],
    ['empty body', [], []],
  ])('%s', async (_label, chunks, expected) => {
    expect(await collect(chunks)).toEqual(expected);
  });

  it.each([
    [10, ['12345', '67890'], false],
    [10, ['12345', '678901'], true],
  ])('limit %i bytes over chunks %j → too large: %s', async (limit, chunks, isTooLarge) => {
    const result = collect(chunks, limit);
    if (isTooLarge) await expect(result).rejects.toBeInstanceOf(UploadTooLargeError);
    else await expect(result).resolves.toEqual(['1234567890']);
  });

  it.each([
    ['a newline-free body', ['x'.repeat(MAX_LINE_CHARS + 1)], 1],
    ['a long third line', ['a\nb\n' + 'x'.repeat(MAX_LINE_CHARS + 1) + '\nc\n'], 3],
  ])('refuses %s, naming line %i', async (_label, chunks, lineNo) => {
    const result = collect(chunks, 10 * MAX_LINE_CHARS);
    await expect(result).rejects.toBeInstanceOf(LineTooLongError);
    await expect(result).rejects.toMatchObject({ lineNo });
  });
});
