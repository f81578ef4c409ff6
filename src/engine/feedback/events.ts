import type { TrackingClaims } from '../tracking/tracking-token';

export const EVENT_TYPES = ['impression', 'click', 'conversion', 'skip'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One verified tracking event as queued for the feedback worker (claims come from a checked signature). */
export interface FeedbackEvent {
  readonly type: EventType;
  readonly claims: TrackingClaims;
  /** When it happened, epoch ms: the client's `at` clamped into [issued-at, received-at], else received-at. */
  readonly occurredAtMs: number;
  readonly receivedAtMs: number;
  readonly source: 'link' | 'batch';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * Checks the claims fields the events table needs, so a well-signed but odd token (an older link
 * format, a bug in a signer) is refused at the door instead of poisoning a worker batch.
 */
export function claimsProblem(claims: TrackingClaims): string | null {
  if (!UUID.test(claims.d)) return 'decision id is not a uuid';
  if (!Number.isFinite(claims.i) || !Number.isFinite(claims.e)) return 'issued-at or expiry is not a number';
  if (!Number.isFinite(claims.p) || claims.p < 0 || claims.p > 1) return 'propensity is not in [0, 1]';
  for (const [name, value] of [['campaign', claims.c], ['creative', claims.cr], ['slot', claims.s], ['branch', claims.b], ['user', claims.u], ['platform', claims.pf]] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.length > 200) return `${name} is missing or too long`;
  }
  if (claims.a !== null && (typeof claims.a !== 'string' || claims.a.length > 200)) return 'arm is not a string or null';
  return null;
}

/**
 * When the event happened: the client's claim `atMs` if given, clamped into [issuedAtMs, receivedAtMs]
 * (nothing happens before the ad was chosen, nor after it was reported); otherwise receivedAtMs.
 */
export function occurredAt(atMs: number | undefined, issuedAtMs: number, receivedAtMs: number): number {
  if (atMs === undefined || !Number.isFinite(atMs)) return receivedAtMs;
  return Math.min(receivedAtMs, Math.max(issuedAtMs, Math.floor(atMs)));
}

export type LabelOutcome =
  | { readonly kind: 'label'; readonly label: 0 | 1 }
  | { readonly kind: 'wait'; readonly dueAtMs: number }
  | { readonly kind: 'discard' };

/**
 * Attribution of one served ad (times in epoch ms, windowMs > 0):
 * - an impression and a click at most windowMs apart (either order: apps report late) → label 1 at once;
 * - an impression with no click in its window → label 0 once nowMs ≥ impression + windowMs, else wait until then;
 * - a click with no impression is not an example: wait until click + windowMs for a late impression, then discard.
 */
export function attributeLabel(impressionAtMs: number | null, clickedAtMs: number | null, windowMs: number, nowMs: number): LabelOutcome {
  if (impressionAtMs === null) {
    if (clickedAtMs === null) return { kind: 'discard' };
    return nowMs >= clickedAtMs + windowMs ? { kind: 'discard' } : { kind: 'wait', dueAtMs: clickedAtMs + windowMs };
  }
  if (clickedAtMs !== null && Math.abs(clickedAtMs - impressionAtMs) <= windowMs) return { kind: 'label', label: 1 };
  return nowMs >= impressionAtMs + windowMs ? { kind: 'label', label: 0 } : { kind: 'wait', dueAtMs: impressionAtMs + windowMs };
}

/** UTC day partition bounds of tMs: [startMs, startMs + 1 day) and the suffix `YYYYMMDD` of its table name. */
export function dayPartition(tMs: number): { startMs: number; endMs: number; suffix: string } {
  const startMs = Math.floor(tMs / 86_400_000) * 86_400_000;
  const suffix = new Date(startMs).toISOString().slice(0, 10).replace(/-/g, '');
  return { startMs, endMs: startMs + 86_400_000, suffix };
}
