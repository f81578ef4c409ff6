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
    ['altered payload', Buffer.from(JSON.stringify({ ...claims, c: 'camp-2' })).toString('base64url') + token.slice(token.indexOf('.')), 1_500, 'forged'],
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

  it('rejects a forged token even if expired (signature first)', () => {
    expect(verifyTrackingToken(signTrackingToken(claims, 'y'.repeat(32)), SECRET, 9_999).kind).toBe('forged');
  });
});
