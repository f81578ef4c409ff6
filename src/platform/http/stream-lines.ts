import { StringDecoder } from 'node:string_decoder';

/** The body went past the configured limit; the controller turns this into a 413. */
export class UploadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`upload is larger than the limit of ${limitBytes} bytes (MUSICBOSS_UPLOAD_LIMIT_BYTES)`);
  }
}

/** One line ran past MAX_LINE_CHARS: almost always a binary file or a wrong media type. */
export class LineTooLongError extends Error {
  constructor(readonly lineNo: number) {
    super(`line ${lineNo} is longer than ${MAX_LINE_CHARS} characters; is this the right file and content type?`);
  }
}

/** No profile or id line comes near this; the cap keeps a newline-free body from growing one huge string. */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * Splits a byte stream into lines ('\n'; a trailing '\r' is left for the parsers, which drop it)
 * and hands them over a chunk at a time, so a 10^7-line upload costs one await per network chunk
 * rather than one per line and is never held whole. Throws UploadTooLargeError past `limitBytes`
 * and LineTooLongError for a line over MAX_LINE_CHARS.
 */
export async function* readLineBatches(stream: AsyncIterable<Buffer | string>, limitBytes: number): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let bytes = 0;
  let lineNo = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buffer.length;
    if (bytes > limitBytes) throw new UploadTooLargeError(limitBytes);
    const text = carry + decoder.write(buffer);
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    lineNo += lines.length;
    if (carry.length > MAX_LINE_CHARS) throw new LineTooLongError(lineNo + 1);
    for (let i = 0; i < lines.length; i++) if (lines[i].length > MAX_LINE_CHARS) throw new LineTooLongError(lineNo - lines.length + 1 + i);
    if (lines.length > 0) yield lines;
  }
  const rest = carry + decoder.end();
  if (rest.length > 0) yield [rest];
}
