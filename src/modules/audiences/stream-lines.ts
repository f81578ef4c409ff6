import { StringDecoder } from 'node:string_decoder';

/** The body went past the configured limit; the controller turns this into a 413. */
export class UploadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`upload is larger than the limit of ${limitBytes} bytes (MUSICBOSS_UPLOAD_LIMIT_BYTES)`);
  }
}

/**
 * Splits a byte stream into lines ('\n'; a trailing '\r' is left for the parsers, which drop it)
 * and hands them over a chunk at a time, so a 10^7-line upload costs one await per network chunk
 * rather than one per line and is never held whole. Throws UploadTooLargeError past `limitBytes`.
 */
export async function* readLineBatches(stream: AsyncIterable<Buffer | string>, limitBytes: number): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let bytes = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buffer.length;
    if (bytes > limitBytes) throw new UploadTooLargeError(limitBytes);
    const text = carry + decoder.write(buffer);
    const lines = text.split('\n');
    carry = lines.pop() ?? '';
    if (lines.length > 0) yield lines;
  }
  const rest = carry + decoder.end();
  if (rest.length > 0) yield [rest];
}
