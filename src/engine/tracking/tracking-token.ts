import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a tracking link vouches for: one served ad of one decision. Short keys keep links short. */
export interface TrackingClaims {
  /** decisionId: one per served ad. */
  readonly d: string;
  /** campaign id */
  readonly c: string;
  /** creative id */
  readonly cr: string;
  /** slot id */
  readonly s: string;
  /** branch name */
  readonly b: string;
  /** bandit arm (model id), or null */
  readonly a: string | null;
  /** probability with which this ad was chosen (propensity), for offline evaluation */
  readonly p: number;
  /** listener id */
  readonly u: string;
  /** platform */
  readonly pf: string;
  /** issued at, epoch ms */
  readonly i: number;
  /** expires at, epoch ms */
  readonly e: number;
}

export type TrackingVerification =
  | { kind: 'valid'; claims: TrackingClaims }
  | { kind: 'malformed'; reason: string }
  | { kind: 'forged' }
  | { kind: 'expired'; expiredAtMs: number };

const SIGNATURE_BYTES = 16;

function mac(secret: string, payload: string): Buffer {
  // 128 bits of HMAC-SHA256 is ample against forgery and keeps the link short.
  return createHmac('sha256', secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

/**
 * Token = base64url(JSON claims) "." base64url(HMAC-SHA256(secret, first part)[0..16]).
 * The same token serves the impression, click, conversion and skip links of one ad.
 */
export function signTrackingToken(claims: TrackingClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/**
 * Checks the signature first (constant time), then the expiry against nowMs. An altered token
 * is 'forged'; a well-signed token past its expiry is 'expired'.
 */
export function verifyTrackingToken(token: string, secret: string, nowMs: number): TrackingVerification {
  if (typeof token !== 'string' || token.length > 2048) return { kind: 'malformed', reason: 'token missing or too long' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { kind: 'malformed', reason: 'token must be <payload>.<signature>' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: 'forged' };
  let claims: TrackingClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { kind: 'malformed', reason: 'payload is not JSON' };
  }
  if (typeof claims?.d !== 'string' || typeof claims.e !== 'number' || typeof claims.c !== 'string') return { kind: 'malformed', reason: 'payload lacks d, c or e' };
  if (nowMs > claims.e) return { kind: 'expired', expiredAtMs: claims.e };
  return { kind: 'valid', claims };
}
