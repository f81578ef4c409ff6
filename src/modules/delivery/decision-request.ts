import type { Platform } from '../../engine/policy/snapshot';
import { PLATFORMS } from '../catalog';
import type { FieldProblem } from '../../platform/http/validation';

export interface DecisionInput {
  slotId: string;
  userId: string;
  platform: Platform;
  appVersion?: string;
  context?: Record<string, string | number | boolean>;
  count?: number;
  explain?: boolean;
}

const ALLOWED_FIELDS = new Set(['slotId', 'userId', 'platform', 'appVersion', 'context', 'count', 'explain']);
const PLATFORM_SET: ReadonlySet<string> = new Set(PLATFORMS);
const MAX_CONTEXT_KEYS = 32;
const MAX_CONTEXT_KEY_CHARS = 64;
const MAX_CONTEXT_VALUE_CHARS = 200;

export type DecisionRequestCheck = { kind: 'valid'; input: DecisionInput } | { kind: 'invalid'; errors: FieldProblem[] };

function stringProblem(value: unknown, minChars: number, maxChars: number): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length < minChars || value.length > maxChars) return `must be ${minChars}..${maxChars} characters long`;
  return null;
}

function contextProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'must be an object';
  let keys = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++keys > MAX_CONTEXT_KEYS) return `must have at most ${MAX_CONTEXT_KEYS} keys`;
    if (key.length > MAX_CONTEXT_KEY_CHARS) return `key "${key.slice(0, 20)}…" is longer than ${MAX_CONTEXT_KEY_CHARS} characters`;
    const v = (value as Record<string, unknown>)[key];
    const ok = (typeof v === 'string' && v.length <= MAX_CONTEXT_VALUE_CHARS) || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
    if (!ok) return `${key} must be a string (≤${MAX_CONTEXT_VALUE_CHARS} chars), a finite number or a boolean`;
  }
  return null;
}

/**
 * The body of POST /v1/decisions, checked by hand: this route runs thousands of times a second and
 * class-validator + class-transformer cost more than the rest of its request handling. Same rules and
 * error shape as the DTO validation of every other route (unknown fields rejected, each field named).
 * Text PostgreSQL cannot store (NUL, unpaired surrogates) never gets here: the JSON body parser
 * refuses it for every route (platform/http/json-body.ts).
 */
export function checkDecisionRequest(body: unknown): DecisionRequestCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { kind: 'invalid', errors: [{ field: 'body', problems: ['must be a JSON object'] }] };
  const b = body as Record<string, unknown>;
  const errors: FieldProblem[] = [];
  const problem = (field: string, message: string | null) => {
    if (message !== null) errors.push({ field, problems: [message] });
  };
  for (const key in b) if (Object.hasOwn(b, key) && !ALLOWED_FIELDS.has(key)) problem(key, 'is not an allowed field');
  problem('slotId', stringProblem(b.slotId, 1, 100));
  problem('userId', stringProblem(b.userId, 1, 128));
  if (typeof b.platform !== 'string' || !PLATFORM_SET.has(b.platform)) problem('platform', `platform must be one of ${PLATFORMS.join(', ')}`);
  if (b.appVersion !== undefined) problem('appVersion', stringProblem(b.appVersion, 1, 40));
  if (b.context !== undefined) problem('context', contextProblem(b.context));
  if (b.count !== undefined && !(Number.isInteger(b.count) && (b.count as number) >= 1 && (b.count as number) <= 20)) problem('count', 'must be an integer in 1..20');
  if (b.explain !== undefined && typeof b.explain !== 'boolean') problem('explain', 'must be a boolean');
  if (errors.length > 0) return { kind: 'invalid', errors };
  return {
    kind: 'valid',
    input: {
      slotId: b.slotId as string,
      userId: b.userId as string,
      platform: b.platform as DecisionInput['platform'],
      ...(b.appVersion !== undefined ? { appVersion: b.appVersion as string } : {}),
      ...(b.context !== undefined ? { context: b.context as DecisionInput['context'] } : {}),
      ...(b.count !== undefined ? { count: b.count as number } : {}),
      ...(b.explain !== undefined ? { explain: b.explain as boolean } : {}),
    },
  };
}
