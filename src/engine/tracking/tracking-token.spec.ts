import { createHmac } from 'node:crypto';
import { EVENT_TYPES, type EventType } from '../feedback/events';
import { decodeCanonicalBase64url, signTrackingTokens, verifyTrackingToken, type TrackingClaims } from './tracking-token';

const SECRET = 'k'.repeat(32);
const claims: TrackingClaims = { d: 'dec-1', c: 'camp-1', cr: 'cr-1', s: 'slot-1', b: 'vip', a: null, p: 0.25, u: 'user-9', pf: 'ios', i: 1_000, e: 2_000 };

/** A token of an earlier format: the claims' bytes (binary, version 2) or JSON, one HMAC-SHA256 tag for all four links. */
function legacyToken(given: TrackingClaims, format: 'binary' | 'json', secret = SECRET): string {
  let payload: string;
  if (format === 'json') payload = Buffer.from(JSON.stringify(given)).toString('base64url');
  else {
    const bytes = Buffer.from(signTrackingTokens(given, secret).impression.split('.')[0], 'base64url');
    bytes[0] = 2;
    payload = bytes.toString('base64url');
  }
  return `${payload}.${createHmac('sha256', secret).update(payload).digest().subarray(0, 16).toString('base64url')}`;
}

/** The token with its last character's unused low bits set: the same bytes, another spelling. */
function flipUnusedBit(part: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(part[part.length - 1]);
  return part.slice(0, -1) + alphabet[last | 1];
}

describe('tracking tokens', () => {
  const tokens = signTrackingTokens(claims, SECRET);
  const token = tokens.click;
  const [payload, signature] = token.split('.');

  it.each<[string, string, number, string]>([
    ['valid before expiry', token, 1_500, 'valid'],
    ['valid at the expiry instant', token, 2_000, 'valid'],
    ['expired after expiry', token, 2_001, 'expired'],
    ['signed with another secret', signTrackingTokens(claims, 'x'.repeat(32)).click, 1_500, 'forged'],
    ['altered payload', `${signTrackingTokens({ ...claims, c: 'camp-2' }, SECRET).click.split('.')[0]}.${signature}`, 1_500, 'forged'],
    ['altered signature', token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA'), 1_500, 'forged'],
    ['a signature of the wrong length', `${payload}.${signature}AAAA`, 1_500, 'forged'],
    ['no signature', payload, 1_500, 'malformed'],
    ['two dots', `${token}.x`, 1_500, 'malformed'],
    ['empty', '', 1_500, 'malformed'],
  ])('%s', (_label, value, nowMs, kind) => {
    expect(verifyTrackingToken(value, 'click', SECRET, nowMs).kind).toBe(kind);
  });

  it('round-trips the claims, for each link', () => {
    for (const type of EVENT_TYPES) expect(verifyTrackingToken(tokens[type], type, SECRET, 1_500)).toEqual({ kind: 'valid', claims, legacy: false });
  });

  it('binds each token to its link: another link refuses it as wrong_type, naming the link it was issued for', () => {
    expect(new Set(Object.values(tokens)).size).toBe(4);
    for (const issued of EVENT_TYPES) {
      for (const offered of EVENT_TYPES) {
        const verified = verifyTrackingToken(tokens[issued], offered, SECRET, 1_500);
        expect(verified).toEqual(issued === offered ? { kind: 'valid', claims, legacy: false } : { kind: 'wrong_type', issuedFor: issued });
      }
    }
  });

  // Alterations a lenient decoder reads as the same bytes, on the signature and on the payload:
  // only strict decoding refuses them.
  it.each<[string, (part: string) => string]>([
    ['a set unused bit', flipUnusedBit],
    ["an inserted '!'", (part) => `${part.slice(0, 5)}!${part.slice(5)}`],
    ['an inserted space', (part) => `${part.slice(0, 5)} ${part.slice(5)}`],
    ["'==' appended", (part) => `${part}==`],
    ['a trailing newline', (part) => `${part}\n`],
  ])('refuses %s in the signature or the payload (malformed, whatever the link)', (_label, alter) => {
    // What made them pass before: a lenient decoder reads the same bytes from the altered text.
    expect(Buffer.from(alter(signature), 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    for (const type of EVENT_TYPES) {
      const token_ = tokens[type];
      const [p, s] = token_.split('.');
      expect(verifyTrackingToken(`${p}.${alter(s)}`, type, SECRET, 1_500)).toEqual({ kind: 'malformed', reason: 'signature is not canonical base64url' });
      expect(verifyTrackingToken(`${alter(p)}.${s}`, type, SECRET, 1_500)).toEqual({ kind: 'malformed', reason: 'payload is not canonical base64url' });
    }
  });

  it.each<[string, string, Buffer | null]>([
    ['the empty string', '', Buffer.alloc(0)],
    ['one byte', 'AQ', Buffer.from([1])],
    ['one byte with a set unused bit', 'AR', null],
    ['padding', 'AQ==', null],
    ['a length no bytes have', 'AQIDB', null],
    ['the url-safe characters', '-_8', Buffer.from([0xfb, 0xff])],
    ['a standard base64 character', '+_8', null],
  ])('decodeCanonicalBase64url: %s', (_label, text, expected) => {
    expect(decodeCanonicalBase64url(text)).toEqual(expected);
  });

  const uuidClaims: TrackingClaims = {
    d: '5f0e8a52-1c2b-4d3e-9f00-0123456789ab',
    c: '6f1c0000-0000-4000-8000-00000000000c',
    cr: '9a2d0000-0000-4000-8000-0000000000cd',
    s: '0b6c0000-0000-4000-8000-00000000005e',
    b: 'everyone by model — 模型',
    a: 'ftrl-main',
    p: 0.123456789012345,
    u: 'u-000042',
    pf: 'android',
    i: 1_764_300_000_123,
    e: 1_764_904_800_123,
  };
  it.each<[string, TrackingClaims]>([
    ['string ids, no arm', claims],
    ['UUID ids, an arm, non-ASCII branch, exact probability and ms', uuidClaims],
    ['mixed ids', { ...uuidClaims, c: 'camp-1', s: 'ABCDEF00-0000-4000-8000-00000000005E' }],
    ['UUIDs with every hex digit in every group', { ...uuidClaims, d: 'fedcba98-7654-4321-8fed-cba987654321', cr: '01234567-89ab-4cde-8f01-23456789abcd', s: 'ffffffff-ffff-4fff-bfff-ffffffffffff', c: '00000000-0000-4000-8000-000000000000' }],
    ['empty strings', { ...claims, b: '', u: '', pf: '' }],
  ])('round-trips %s exactly', (_label, given) => {
    expect(verifyTrackingToken(signTrackingTokens(given, SECRET).impression, 'impression', SECRET, given.i)).toEqual({ kind: 'valid', claims: given, legacy: false });
  });

  it.each<[string, Partial<TrackingClaims>]>([
    ['a listener id over 65,535 bytes', { u: 'x'.repeat(0x10000) }],
    ['a non-UUID campaign id over 65,535 bytes', { c: 'é'.repeat(0x8000) }],
  ])('refuses to sign %s', (_label, change) => {
    expect(() => signTrackingTokens({ ...claims, ...change }, SECRET)).toThrow(RangeError);
  });

  it('is compact: with UUID ids, under 60% of the same claims as base64url JSON', () => {
    const jsonChars = Buffer.from(JSON.stringify(uuidClaims)).toString('base64url').length + 23;
    expect(signTrackingTokens(uuidClaims, SECRET).click.length).toBeLessThan(0.6 * jsonChars);
  });

  it.each<['binary' | 'json']>([['binary'], ['json']])('still verifies %s links issued before type binding, for any link, until they expire (legacy)', (format) => {
    const legacy = legacyToken(claims, format);
    for (const type of EVENT_TYPES) {
      expect(verifyTrackingToken(legacy, type, SECRET, 1_500)).toEqual({ kind: 'valid', claims, legacy: true });
      expect(verifyTrackingToken(legacy, type, SECRET, 2_001).kind).toBe('expired');
    }
    expect(verifyTrackingToken(legacyToken(claims, format, 'y'.repeat(32)), 'click', SECRET, 1_500).kind).toBe('forged');
    const [p, s] = legacy.split('.');
    expect(verifyTrackingToken(`${p}.${s}==`, 'click', SECRET, 1_500).kind).toBe('malformed');
    expect(verifyTrackingToken(`${p}.${flipUnusedBit(s)}`, 'click', SECRET, 1_500).kind).toBe('malformed');
  });

  it('a typed payload cannot pass with the legacy tag, nor a legacy payload with a typed tag (no downgrade)', () => {
    const typedPayload = tokens.click.split('.')[0];
    const legacyTag = createHmac('sha256', SECRET).update(typedPayload).digest().subarray(0, 16).toString('base64url');
    expect(verifyTrackingToken(`${typedPayload}.${legacyTag}`, 'click', SECRET, 1_500).kind).toBe('forged');
    const legacyPayload = legacyToken(claims, 'binary').split('.')[0];
    const typedTag = createHmac('sha512', SECRET).update(legacyPayload).digest().subarray(16, 32).toString('base64url');
    expect(verifyTrackingToken(`${legacyPayload}.${typedTag}`, 'click', SECRET, 1_500).kind).toBe('forged');
  });

  it('a correctly signed but truncated or padded binary payload is malformed, not a crash', () => {
    const full = Buffer.from(signTrackingTokens(uuidClaims, SECRET).impression.split('.')[0], 'base64url');
    for (const bytes of [full.subarray(0, 30), Buffer.concat([full, Buffer.from([0])])]) {
      const payload_ = bytes.toString('base64url');
      const tag = createHmac('sha512', SECRET).update(payload_).digest().subarray(0, 16).toString('base64url');
      expect(verifyTrackingToken(`${payload_}.${tag}`, 'impression', SECRET, uuidClaims.i).kind).toBe('malformed');
    }
  });

  it('rejects a forged token even if expired (signature first)', () => {
    const types: EventType[] = ['impression', 'skip'];
    for (const type of types) expect(verifyTrackingToken(signTrackingTokens(claims, 'y'.repeat(32))[type], type, SECRET, 9_999).kind).toBe('forged');
  });
});
