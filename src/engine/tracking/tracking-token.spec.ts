import { createHmac } from 'node:crypto';
import { signTrackingToken, verifyTrackingToken, type TrackingClaims } from './tracking-token';

const SECRET = 'k'.repeat(32);
const claims: TrackingClaims = { d: 'dec-1', c: 'camp-1', cr: 'cr-1', s: 'slot-1', b: 'vip', a: null, p: 0.25, u: 'user-9', pf: 'ios', i: 1_000, e: 2_000 };

describe('tracking tokens', () => {
  const token = signTrackingToken(claims, SECRET);

  it.each<[string, string, number, string]>([
    ['valid before expiry', token, 1_500, 'valid'],
    ['valid at the expiry instant', token, 2_000, 'valid'],
    ['expired after expiry', token, 2_001, 'expired'],
    ['signed with another secret', signTrackingToken(claims, 'x'.repeat(32)), 1_500, 'forged'],
    ['altered payload', signTrackingToken({ ...claims, c: 'camp-2' }, SECRET).split('.')[0] + token.slice(token.indexOf('.')), 1_500, 'forged'],
    ['altered signature', token.slice(0, -2) + (token.endsWith('A') ? 'BB' : 'AA'), 1_500, 'forged'],
    ['no signature', token.split('.')[0], 1_500, 'malformed'],
    ['two dots', `${token}.x`, 1_500, 'malformed'],
    ['empty', '', 1_500, 'malformed'],
  ])('%s', (_label, value, nowMs, kind) => {
    expect(verifyTrackingToken(value, SECRET, nowMs).kind).toBe(kind);
  });

  it('round-trips the claims', () => {
    expect(verifyTrackingToken(token, SECRET, 1_500)).toEqual({ kind: 'valid', claims });
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
    expect(verifyTrackingToken(signTrackingToken(given, SECRET), SECRET, given.i)).toEqual({ kind: 'valid', claims: given });
  });

  it.each<[string, Partial<TrackingClaims>]>([
    ['a listener id over 65,535 bytes', { u: 'x'.repeat(0x10000) }],
    ['a non-UUID campaign id over 65,535 bytes', { c: 'é'.repeat(0x8000) }],
  ])('refuses to sign %s', (_label, change) => {
    expect(() => signTrackingToken({ ...claims, ...change }, SECRET)).toThrow(RangeError);
  });

  it('is compact: with UUID ids, under 60% of the same claims as base64url JSON', () => {
    const jsonChars = Buffer.from(JSON.stringify(uuidClaims)).toString('base64url').length + 23;
    expect(signTrackingToken(uuidClaims, SECRET).length).toBeLessThan(0.6 * jsonChars);
  });

  it('still verifies links issued in the JSON format until they expire', () => {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const mac = createHmac('sha256', SECRET).update(payload).digest().subarray(0, 16).toString('base64url');
    expect(verifyTrackingToken(`${payload}.${mac}`, SECRET, 1_500)).toEqual({ kind: 'valid', claims });
    expect(verifyTrackingToken(`${payload}.${mac}`, SECRET, 2_001).kind).toBe('expired');
  });

  it('a correctly signed but truncated or padded binary payload is malformed, not a crash', () => {
    const full = Buffer.from(signTrackingToken(uuidClaims, SECRET).split('.')[0], 'base64url');
    for (const bytes of [full.subarray(0, 30), Buffer.concat([full, Buffer.from([0])])]) {
      const payload = bytes.toString('base64url');
      const mac = createHmac('sha256', SECRET).update(payload).digest().subarray(0, 16).toString('base64url');
      expect(verifyTrackingToken(`${payload}.${mac}`, SECRET, uuidClaims.i).kind).toBe('malformed');
    }
  });

  it('rejects a forged token even if expired (signature first)', () => {
    expect(verifyTrackingToken(signTrackingToken(claims, 'y'.repeat(32)), SECRET, 9_999).kind).toBe('forged');
  });
});
