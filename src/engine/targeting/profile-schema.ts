/**
 * Listener profile schema: which attributes exist, of which kind, and how an imported record
 * (an NDJSON object or a CSV row keyed by its header) becomes a typed profile.
 */

import { findUnstorableText, UNSTORABLE_TEXT_PROBLEM } from '../util/storable-text';

export type AttributeKind = 'categorical' | 'boolean' | 'multi' | 'numeric';

export type CategoricalAttribute =
  | 'gender'
  | 'ageBand'
  | 'region'
  | 'cityTier'
  | 'platform'
  | 'vipLevel'
  | 'activityState';
export type BooleanAttribute = 'paidPackage';
export type MultiAttribute = 'languages' | 'genres' | 'artists' | 'moods' | 'tempos';
export type NumericAttribute = 'monthlyMinutes' | 'tenureDays';
export type ProfileAttribute = CategoricalAttribute | BooleanAttribute | MultiAttribute | NumericAttribute;

export interface AttributeSpec {
  readonly name: ProfileAttribute;
  readonly kind: AttributeKind;
  /** Other column names accepted on import (snake_case headers and the like). */
  readonly aliases: readonly string[];
  /** Closed value set for categoricals; undefined = open (any non-empty string). */
  readonly allowedValues?: readonly string[];
  /** Values are integers in string form, so a numeric `range` may select among them. */
  readonly isOrdinal?: boolean;
  /** Numeric attributes: inclusive lower bound accepted on import. */
  readonly min?: number;
}

/**
 * A listener's attributes. Every field is optional: an absent field means "unknown", and the
 * listener is then in no value bitmap of that attribute. Categorical values are strings, so
 * vipLevel is '0'..'7' and cityTier '1'..'3'.
 */
export interface ListenerProfile {
  gender?: string;
  ageBand?: string;
  region?: string;
  cityTier?: string;
  platform?: string;
  vipLevel?: string;
  activityState?: string;
  paidPackage?: boolean;
  languages?: string[];
  genres?: string[];
  artists?: string[];
  moods?: string[];
  tempos?: string[];
  monthlyMinutes?: number;
  tenureDays?: number;
}

export const PLATFORMS = ['ios', 'android', 'pc', 'h5', 'car', 'speaker', 'tv'] as const;
export const ACTIVITY_STATES = ['new', 'retained', 'returning', 'active'] as const;
export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
export const VIP_LEVELS = ['0', '1', '2', '3', '4', '5', '6', '7'] as const;
export const CITY_TIERS = ['1', '2', '3'] as const;

export const PROFILE_ATTRIBUTES: readonly AttributeSpec[] = [
  { name: 'gender', kind: 'categorical', aliases: ['sex'], allowedValues: GENDERS },
  { name: 'ageBand', kind: 'categorical', aliases: ['age_band', 'age'] },
  { name: 'region', kind: 'categorical', aliases: [] },
  { name: 'cityTier', kind: 'categorical', aliases: ['city_tier'], allowedValues: CITY_TIERS, isOrdinal: true },
  { name: 'platform', kind: 'categorical', aliases: [], allowedValues: PLATFORMS },
  { name: 'vipLevel', kind: 'categorical', aliases: ['vip_level', 'vip'], allowedValues: VIP_LEVELS, isOrdinal: true },
  { name: 'activityState', kind: 'categorical', aliases: ['activity_state'], allowedValues: ACTIVITY_STATES },
  { name: 'paidPackage', kind: 'boolean', aliases: ['paid_package', 'paid'] },
  { name: 'languages', kind: 'multi', aliases: ['language'] },
  { name: 'genres', kind: 'multi', aliases: ['genre'] },
  { name: 'artists', kind: 'multi', aliases: ['artist'] },
  { name: 'moods', kind: 'multi', aliases: ['mood'] },
  { name: 'tempos', kind: 'multi', aliases: ['tempo'] },
  { name: 'monthlyMinutes', kind: 'numeric', aliases: ['monthly_minutes'], min: 0 },
  { name: 'tenureDays', kind: 'numeric', aliases: ['tenure_days'], min: 0 },
];

const SPEC_BY_NAME = new Map<string, AttributeSpec>(PROFILE_ATTRIBUTES.map((s) => [s.name, s]));
const SPEC_BY_COLUMN = new Map<string, AttributeSpec>();
for (const spec of PROFILE_ATTRIBUTES) {
  SPEC_BY_COLUMN.set(spec.name.toLowerCase(), spec);
  for (const alias of spec.aliases) SPEC_BY_COLUMN.set(alias.toLowerCase(), spec);
}

/** Column names that carry the listener's external id. */
export const USER_KEY_COLUMNS: readonly string[] = ['userid', 'user_id', 'userkey', 'user_key', 'uid', 'id'];

/** The spec of an attribute by its canonical name, or undefined. */
export function attributeSpec(name: string): AttributeSpec | undefined {
  return SPEC_BY_NAME.get(name);
}

const MAX_VALUE_CHARS = 128;
const MAX_MULTI_VALUES = 256;

/**
 * Canonical string key of a categorical/boolean value as stored in the index:
 * numbers become their decimal form (3 → '3'), booleans 'true'/'false'.
 * Returns null when the value is not acceptable for the attribute (outside its closed set,
 * empty, too long, or a boolean attribute given a non-boolean).
 */
export function categoricalValueKey(spec: AttributeSpec, value: unknown): string | null {
  if (spec.kind === 'boolean') {
    const parsed = parseBoolean(value);
    return parsed === null ? null : String(parsed);
  }
  let key: string;
  if (typeof value === 'string') key = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) key = String(value);
  else return null;
  if (key.length === 0 || key.length > MAX_VALUE_CHARS) return null;
  if (spec.allowedValues && !spec.allowedValues.includes(key)) return null;
  return key;
}

function parseBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
  }
  return null;
}

export interface FieldError {
  field: string;
  message: string;
}

export type ProfileRecordResult =
  | { kind: 'ok'; userKey: string; profile: ListenerProfile; ignoredFields: string[] }
  | { kind: 'error'; lineNo: number; errors: FieldError[] };

function describe(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

function parseMulti(value: unknown): string[] | string {
  let items: unknown[];
  if (typeof value === 'string') items = value.split('|');
  else if (Array.isArray(value)) items = value;
  else return `must be a list (array, or 'a|b|c' in CSV), got ${describe(value)}`;
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') return `items must be strings, got ${describe(item)}`;
    const v = String(item).trim();
    if (v.length === 0) continue;
    if (v.length > MAX_VALUE_CHARS) return `item ${describe(v)} is longer than ${MAX_VALUE_CHARS} characters`;
    if (!seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  if (out.length > MAX_MULTI_VALUES) return `has ${out.length} items, at most ${MAX_MULTI_VALUES} allowed`;
  return out;
}

function parseNumeric(spec: AttributeSpec, value: unknown): number | string {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n)) return `must be a finite number, got ${describe(value)}`;
  if (spec.min !== undefined && n < spec.min) return `must be >= ${spec.min}, got ${n}`;
  return n;
}

function categoricalError(spec: AttributeSpec, value: unknown): string {
  if (spec.kind === 'boolean') return `must be true/false (or 1/0), got ${describe(value)}`;
  if (spec.allowedValues) return `must be one of ${spec.allowedValues.join(', ')}, got ${describe(value)}`;
  return `must be a non-empty string of at most ${MAX_VALUE_CHARS} characters, got ${describe(value)}`;
}

/**
 * Turn one imported record into a profile. `record` is an NDJSON object or a CSV row keyed by
 * its header (all values strings; multi-valued as 'a|b|c'; booleans 'true'/'false'/'1'/'0').
 * Column names match attribute names or their aliases case-insensitively; the user id comes
 * from userId/user_id/userKey/uid/id. Blank values mean "unknown". Unknown columns are listed in
 * `ignoredFields`, not rejected, so extra export columns do not block an import.
 * Every bad field is reported (not just the first), each naming the field and the line.
 */
export function parseProfileRecord(record: Record<string, unknown>, lineNo: number): ProfileRecordResult {
  const errors: FieldError[] = [];
  const ignoredFields: string[] = [];
  const profile: ListenerProfile = {};
  const target = profile as Record<string, unknown>;
  const seenAttributes = new Map<string, string>();
  let userKey: string | null = null;
  let userKeyField: string | null = null;

  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { kind: 'error', lineNo, errors: [{ field: '', message: `line ${lineNo}: record must be an object` }] };
  }
  // One such string made PostgreSQL refuse the whole import batch (a 500). The whole record is
  // checked, ignored fields included: such a line is malformed either way.
  const unstorable = findUnstorableText(record);
  if (unstorable !== null) return { kind: 'error', lineNo, errors: [{ field: unstorable, message: `line ${lineNo}: ${unstorable} ${UNSTORABLE_TEXT_PROBLEM}` }] };

  for (const [field, value] of Object.entries(record)) {
    const column = field.trim().toLowerCase();
    if (USER_KEY_COLUMNS.includes(column)) {
      if (userKeyField !== null) {
        errors.push({ field, message: `line ${lineNo}: user id given twice (${userKeyField} and ${field})` });
        continue;
      }
      userKeyField = field;
      if (typeof value === 'number' && Number.isFinite(value)) userKey = String(value);
      else if (typeof value === 'string' && value.trim().length > 0) userKey = value.trim();
      else errors.push({ field, message: `line ${lineNo}: user id must be a non-empty string, got ${describe(value)}` });
      continue;
    }
    const spec = SPEC_BY_COLUMN.get(column);
    if (!spec) {
      ignoredFields.push(field);
      continue;
    }
    const previous = seenAttributes.get(spec.name);
    if (previous !== undefined) {
      errors.push({ field, message: `line ${lineNo}: ${spec.name} given twice (${previous} and ${field})` });
      continue;
    }
    seenAttributes.set(spec.name, field);
    if (isBlank(value)) continue;
    switch (spec.kind) {
      case 'categorical':
      case 'boolean': {
        const key = categoricalValueKey(spec, value);
        if (key === null) errors.push({ field, message: `line ${lineNo}: ${spec.name} ${categoricalError(spec, value)}` });
        else target[spec.name] = spec.kind === 'boolean' ? key === 'true' : key;
        break;
      }
      case 'multi': {
        const parsed = parseMulti(value);
        if (typeof parsed === 'string') errors.push({ field, message: `line ${lineNo}: ${spec.name} ${parsed}` });
        else target[spec.name] = parsed;
        break;
      }
      case 'numeric': {
        const parsed = parseNumeric(spec, value);
        if (typeof parsed === 'string') errors.push({ field, message: `line ${lineNo}: ${spec.name} ${parsed}` });
        else target[spec.name] = parsed;
        break;
      }
    }
  }
  if (userKeyField === null) {
    errors.push({ field: 'userId', message: `line ${lineNo}: missing user id (column userId, user_id, uid or id)` });
  }
  if (errors.length > 0 || userKey === null) return { kind: 'error', lineNo, errors };
  return { kind: 'ok', userKey, profile, ignoredFields };
}
