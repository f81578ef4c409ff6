import type { IncomingMessage } from 'node:http';
import { requestIdOf } from './request-id';

const withHeader = (value?: string | string[]) => ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as unknown as IncomingMessage;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdOf', () => {
  it('keeps an acceptable caller id', () => {
    for (const id of ['abc', 'A.b_c-9', 'x'.repeat(100)]) expect(requestIdOf(withHeader(id))).toBe(id);
  });

  it('replaces a missing, repeated or unacceptable one with a new UUID', () => {
    for (const value of [undefined, '', 'x'.repeat(101), 'a b', 'a\nb', 'é', ['a', 'b']]) expect(requestIdOf(withHeader(value))).toMatch(UUID);
    expect(requestIdOf(withHeader())).not.toBe(requestIdOf(withHeader()));
  });
});
