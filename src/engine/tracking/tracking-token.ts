import { createHmac, timingSafeEqual } from 'node:crypto';
import { EVENT_TYPES, type EventType } from '../feedback/events';

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
  /** legacy: a token of a format from before type binding, which any of the four links accepts until it expires. */
  | { kind: 'valid'; claims: TrackingClaims; legacy: boolean }
  | { kind: 'malformed'; reason: string }
  | { kind: 'forged' }
  /** Signed by us, but for another of the ad's links (an impression pixel's token offered as a click). */
  | { kind: 'wrong_type'; issuedFor: EventType }
  | { kind: 'expired'; expiredAtMs: number };

/** The four tokens of one served ad, one per link: each fires only its own event type. */
export type TrackingTokens = Readonly<Record<EventType, string>>;

const SIGNATURE_BYTES = 16;

/**
 * The tags of all four event types from ONE HMAC-SHA512 of the payload: its 64 bytes are cut into
 * four disjoint 16-byte tags, in EVENT_TYPES order. Disjoint parts of a PRF's output are
 * independent, so one link's tag says nothing about another's, and a served ad costs one HMAC
 * (four HMAC-SHA256 would cost about three times the CPU on the decision path).
 */
function typedMacs(secret: string, payload: string): Buffer {
  return createHmac('sha512', secret).update(payload).digest();
}

/** The earlier formats' single tag: 128 bits of HMAC-SHA256 of the payload. */
function legacyMac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

/** Untyped binary claims (one token for the four links): still verified until they expire. */
const FORMAT_V2 = 2;
/** The same claims, with a tag per event type. */
const FORMAT_V3 = 3;
const TYPE_INDEX: Readonly<Record<EventType, number>> = { impression: 0, click: 1, conversion: 2, skip: 3 };
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID_FIELDS = ['d', 'c', 'cr', 's'] as const;
const ARM_NULL_FLAG = 1 << 4;
const MAX_STRING_BYTES = 0xffff;
/** p, i and e as float64: exact for probabilities and for epoch milliseconds. */
const NUMBER_BYTES = 24;

/** Claims as bytes: a version byte, a flags byte, the four ids (16 bytes when a lowercase UUID), p, i, e, then pf, b, u and the arm. */
function encodeClaims(claims: TrackingClaims, version: number): Buffer {
  // Sized first and written into one buffer: this runs for every served ad.
  let flags = 0;
  let size = 2 + NUMBER_BYTES;
  for (let bit = 0; bit < ID_FIELDS.length; bit++) {
    const value = claims[ID_FIELDS[bit]];
    if (UUID_RE.test(value)) {
      flags |= 1 << bit;
      size += 16;
    } else size += stringBytes(value);
  }
  if (claims.a === null) flags |= ARM_NULL_FLAG;
  size += stringBytes(claims.pf) + stringBytes(claims.b) + stringBytes(claims.u) + (claims.a === null ? 0 : stringBytes(claims.a));
  const out = Buffer.allocUnsafe(size);
  out[0] = version;
  out[1] = flags;
  let at = 2;
  for (let bit = 0; bit < ID_FIELDS.length; bit++) {
    const value = claims[ID_FIELDS[bit]];
    if (flags & (1 << bit)) {
      at = writeUuid(out, at, value);
    } else at = writeString(out, at, value);
  }
  out.writeDoubleLE(claims.p, at);
  out.writeDoubleLE(claims.i, at + 8);
  out.writeDoubleLE(claims.e, at + 16);
  at += NUMBER_BYTES;
  at = writeString(out, at, claims.pf);
  at = writeString(out, at, claims.b);
  at = writeString(out, at, claims.u);
  if (claims.a !== null) writeString(out, at, claims.a);
  return out;
}

/** A nibble's value by char code ('0'–'9', 'a'–'f'; the caller has checked the UUID's form). */
function nibble(code: number): number {
  return code <= 57 ? code - 48 : code - 87;
}

/**
 * Writes a lowercase UUID's 16 bytes, two hex digits at a time, skipping its dashes: no substring
 * or hex-decoding call per group (this runs for four ids of every served ad).
 */
function writeUuid(out: Buffer, at: number, value: string): number {
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    out[at++] = (nibble(value.charCodeAt(i)) << 4) | nibble(value.charCodeAt(i + 1));
  }
  return at;
}

/** Bytes of a length-prefixed string. */
function stringBytes(value: string): number {
  const length = Buffer.byteLength(value, 'utf8');
  if (length > MAX_STRING_BYTES) throw new RangeError(`tracking claim longer than ${MAX_STRING_BYTES} bytes`);
  return 2 + length;
}

function writeString(out: Buffer, at: number, value: string): number {
  const written = out.write(value, at + 2, 'utf8');
  out.writeUInt16LE(written, at);
  return at + 2 + written;
}

function decodeClaims(bytes: Buffer): TrackingClaims | null {
  let at = 2;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new RangeError('truncated');
  };
  const readString = () => {
    need(2);
    const length = bytes.readUInt16LE(at);
    need(2 + length);
    const value = bytes.toString('utf8', at + 2, at + 2 + length);
    at += 2 + length;
    return value;
  };
  const readUuid = () => {
    need(16);
    const hex = bytes.toString('hex', at, at + 16);
    at += 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  try {
    need(0);
    const flags = bytes[1];
    const [d, c, cr, s] = ID_FIELDS.map((_f, bit) => (flags & (1 << bit) ? readUuid() : readString()));
    need(NUMBER_BYTES);
    const p = bytes.readDoubleLE(at);
    const i = bytes.readDoubleLE(at + 8);
    const e = bytes.readDoubleLE(at + 16);
    at += NUMBER_BYTES;
    const pf = readString();
    const b = readString();
    const u = readString();
    const a = flags & ARM_NULL_FLAG ? null : readString();
    if (at !== bytes.length) return null;
    return { d, c, cr, s, b, a, p, u, pf, i, e };
  } catch {
    return null;
  }
}

/**
 * The base64url text of `text` decoded, or null unless `text` is exactly what encoding those bytes
 * gives: no padding, whitespace, other characters or set unused bits, so one token has one spelling.
 */
export function decodeCanonicalBase64url(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}

/**
 * token = base64url(claims as bytes) "." base64url(tag), tag = the link's 16 bytes of
 * HMAC-SHA512(secret, first part). Binary, not JSON: four links per served ad carry it, so its
 * length is most of a decision's response.
 */
export function signTrackingTokens(claims: TrackingClaims, secret: string): TrackingTokens {
  const payload = encodeClaims(claims, FORMAT_V3).toString('base64url');
  const tags = typedMacs(secret, payload);
  const prefix = `${payload}.`;
  return {
    impression: prefix + tags.toString('base64url', 0, 16),
    click: prefix + tags.toString('base64url', 16, 32),
    conversion: prefix + tags.toString('base64url', 32, 48),
    skip: prefix + tags.toString('base64url', 48, 64),
  };
}

/**
 * Checks the token for the link `type`: its canonical spelling, then its signature (constant time),
 * then its expiry against nowMs. An altered token is 'forged'; another link's token is
 * 'wrong_type'; a well-signed token past its expiry is 'expired'. Tokens of the two earlier
 * formats (binary and JSON claims, one token for the four links) are valid for any type until
 * they expire: they cannot say which link they were, and new ones are no longer issued.
 */
export function verifyTrackingToken(token: string, type: EventType, secret: string, nowMs: number): TrackingVerification {
  if (typeof token !== 'string' || token.length > 2048) return { kind: 'malformed', reason: 'token missing or too long' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { kind: 'malformed', reason: 'token must be <payload>.<signature>' };
  const payload = token.slice(0, dot);
  const bytes = decodeCanonicalBase64url(payload);
  if (bytes === null) return { kind: 'malformed', reason: 'payload is not canonical base64url' };
  const given = decodeCanonicalBase64url(token.slice(dot + 1));
  if (given === null) return { kind: 'malformed', reason: 'signature is not canonical base64url' };
  if (given.length !== SIGNATURE_BYTES) return { kind: 'forged' };
  const typed = bytes[0] === FORMAT_V3;
  if (typed) {
    const tags = typedMacs(secret, payload);
    const at = TYPE_INDEX[type] * SIGNATURE_BYTES;
    if (!timingSafeEqual(given, tags.subarray(at, at + SIGNATURE_BYTES))) {
      const issuedFor = EVENT_TYPES.find((other, i) => other !== type && timingSafeEqual(given, tags.subarray(i * SIGNATURE_BYTES, (i + 1) * SIGNATURE_BYTES)));
      return issuedFor ? { kind: 'wrong_type', issuedFor } : { kind: 'forged' };
    }
  } else if (!timingSafeEqual(given, legacyMac(secret, payload))) return { kind: 'forged' };
  let claims: TrackingClaims | null;
  if (typed || bytes[0] === FORMAT_V2) {
    claims = decodeClaims(bytes);
    if (claims === null) return { kind: 'malformed', reason: 'payload does not decode' };
  } else {
    try {
      claims = JSON.parse(bytes.toString('utf8'));
    } catch {
      return { kind: 'malformed', reason: 'payload is not JSON' };
    }
  }
  if (typeof claims?.d !== 'string' || typeof claims.e !== 'number' || typeof claims.c !== 'string') return { kind: 'malformed', reason: 'payload lacks d, c or e' };
  if (nowMs > claims.e) return { kind: 'expired', expiredAtMs: claims.e };
  return { kind: 'valid', claims, legacy: !typed };
}
