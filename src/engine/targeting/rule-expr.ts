import { RoaringBitmap32 } from 'roaring';
import type { ReadonlyRoaringBitmap32 } from 'roaring';
import { numericRangeContains } from './attribute-index';
import type { AttributeIndex, NumericRange } from './attribute-index';
import { attributeSpec, categoricalValueKey } from './profile-schema';
import type { AttributeSpec, ProfileAttribute } from './profile-schema';

/** A rule over profile attributes; a rule package is one of these, materialised as a bitmap. */
export type RuleExpr =
  | { and: RuleExpr[] }
  | { or: RuleExpr[] }
  | { not: RuleExpr }
  | { attr: string; in: (string | number | boolean)[] }
  | { attr: string; range: NumericRange }
  | { attr: string; containsAny: string[] }
  | { attr: string; containsAll: string[] };

export interface RuleError {
  /** Where in the expression, e.g. `$.and[1].not.range`. */
  path: string;
  message: string;
}

export const MAX_RULE_DEPTH = 32;
export const MAX_RULE_VALUES = 10000;

const LEAF_OPERATORS = ['in', 'range', 'containsAny', 'containsAll'] as const;
type LeafOperator = (typeof LEAF_OPERATORS)[number];
const RANGE_KEYS = ['gte', 'gt', 'lte', 'lt'];

function operatorsFor(spec: AttributeSpec): readonly LeafOperator[] {
  switch (spec.kind) {
    case 'categorical':
      return spec.isOrdinal ? ['in', 'range'] : ['in'];
    case 'boolean':
      return ['in'];
    case 'multi':
      return ['containsAny', 'containsAll'];
    case 'numeric':
      return ['range'];
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function validateValues(spec: AttributeSpec, op: LeafOperator, list: unknown, path: string, errors: RuleError[]): void {
  if (!Array.isArray(list)) {
    errors.push({ path, message: `'${op}' must be a list of values` });
    return;
  }
  if (list.length === 0) {
    errors.push({ path, message: `'${op}' needs at least one value` });
    return;
  }
  if (list.length > MAX_RULE_VALUES) {
    errors.push({ path, message: `'${op}' has ${list.length} values, at most ${MAX_RULE_VALUES} allowed` });
    return;
  }
  list.forEach((value, i) => {
    if (spec.kind === 'multi') {
      if (typeof value !== 'string' || value.trim().length === 0) {
        errors.push({ path: `${path}[${i}]`, message: `${spec.name} values must be non-empty strings, got ${JSON.stringify(value)}` });
      }
    } else if (categoricalValueKey(spec, value) === null) {
      const allowed = spec.kind === 'boolean' ? 'true or false' : spec.allowedValues ? `one of ${spec.allowedValues.join(', ')}` : 'a non-empty string';
      errors.push({ path: `${path}[${i}]`, message: `${JSON.stringify(value)} is not a valid ${spec.name} (expected ${allowed})` });
    }
  });
}

function validateRange(range: unknown, path: string, errors: RuleError[]): void {
  if (!isPlainObject(range)) {
    errors.push({ path, message: "'range' must be an object with gte/gt/lte/lt" });
    return;
  }
  const keys = Object.keys(range);
  const unknown = keys.filter((k) => !RANGE_KEYS.includes(k));
  if (unknown.length > 0) errors.push({ path, message: `unknown range bound(s) ${unknown.join(', ')} (use gte, gt, lte, lt)` });
  const bounds = keys.filter((k) => RANGE_KEYS.includes(k));
  if (bounds.length === 0) {
    errors.push({ path, message: 'range needs at least one of gte, gt, lte, lt' });
    return;
  }
  let isBad = false;
  for (const k of bounds) {
    if (typeof range[k] !== 'number' || !Number.isFinite(range[k])) {
      errors.push({ path: `${path}.${k}`, message: `${k} must be a finite number, got ${JSON.stringify(range[k])}` });
      isBad = true;
    }
  }
  if (isBad) return;
  if ('gte' in range && 'gt' in range) errors.push({ path, message: 'give either gte or gt, not both' });
  if ('lte' in range && 'lt' in range) errors.push({ path, message: 'give either lte or lt, not both' });
  const r = range as NumericRange;
  const lo = r.gte ?? r.gt;
  const hi = r.lte ?? r.lt;
  if (lo !== undefined && hi !== undefined) {
    const isEmpty = lo > hi || (lo === hi && (r.gt !== undefined || r.lt !== undefined));
    if (isEmpty) errors.push({ path, message: `range is empty (lower bound ${lo} is not below upper bound ${hi})` });
  }
}

function validateNode(expr: unknown, path: string, depth: number, errors: RuleError[]): void {
  if (depth > MAX_RULE_DEPTH) {
    errors.push({ path, message: `expression nested deeper than ${MAX_RULE_DEPTH} levels` });
    return;
  }
  if (!isPlainObject(expr)) {
    errors.push({ path, message: 'expression must be an object' });
    return;
  }
  const keys = Object.keys(expr);
  if ('and' in expr || 'or' in expr) {
    const op = 'and' in expr ? 'and' : 'or';
    if (keys.length !== 1) {
      errors.push({ path, message: `'${op}' node must have no other keys, got ${keys.join(', ')}` });
      return;
    }
    const children = expr[op];
    if (!Array.isArray(children) || children.length === 0) {
      errors.push({ path: `${path}.${op}`, message: `'${op}' needs a non-empty list of expressions` });
      return;
    }
    children.forEach((child, i) => validateNode(child, `${path}.${op}[${i}]`, depth + 1, errors));
    return;
  }
  if ('not' in expr) {
    if (keys.length !== 1) {
      errors.push({ path, message: `'not' node must have no other keys, got ${keys.join(', ')}` });
      return;
    }
    validateNode(expr.not, `${path}.not`, depth + 1, errors);
    return;
  }
  if (!('attr' in expr)) {
    errors.push({ path, message: `expression needs one of and, or, not, or attr with ${LEAF_OPERATORS.join('/')}; got keys ${keys.join(', ') || '(none)'}` });
    return;
  }
  const ops = LEAF_OPERATORS.filter((op) => op in expr);
  const extra = keys.filter((k) => k !== 'attr' && !(LEAF_OPERATORS as readonly string[]).includes(k));
  if (ops.length !== 1) {
    errors.push({ path, message: `attribute test needs exactly one operator of ${LEAF_OPERATORS.join(', ')}, got ${ops.join(', ') || 'none'}` });
    return;
  }
  if (extra.length > 0) errors.push({ path, message: `unexpected key(s) ${extra.join(', ')}` });
  const op = ops[0];
  if (typeof expr.attr !== 'string') {
    errors.push({ path: `${path}.attr`, message: 'attr must be a string' });
    return;
  }
  const spec = attributeSpec(expr.attr);
  if (!spec) {
    errors.push({ path: `${path}.attr`, message: `unknown attribute '${expr.attr}'` });
    return;
  }
  const allowed = operatorsFor(spec);
  if (!allowed.includes(op)) {
    errors.push({ path: `${path}.${op}`, message: `operator '${op}' does not apply to ${spec.kind} attribute '${spec.name}' (use ${allowed.join(' or ')})` });
    return;
  }
  if (op === 'range') validateRange(expr.range, `${path}.range`, errors);
  else validateValues(spec, op, expr[op], `${path}.${op}`, errors);
}

/**
 * Check a rule (raw JSON from the REST layer) against the profile schema. Returns every problem
 * with a JSON path from `$`; an empty list means evaluateRule will accept it. Checks: node shape,
 * unknown attributes, operator vs. attribute kind (categorical: in, ordinal categoricals also
 * range; boolean: in; multi-valued: containsAny/containsAll; numeric: range), empty/oversized
 * lists, values outside closed value sets, and malformed or empty ranges.
 */
export function validateRule(expr: unknown): RuleError[] {
  const errors: RuleError[] = [];
  validateNode(expr, '$', 0, errors);
  return errors;
}

interface Evaluated {
  bitmap: ReadonlyRoaringBitmap32;
  /** False when `bitmap` belongs to the index and must not be mutated or handed out. */
  isOwned: boolean;
}

const EMPTY: Evaluated = { bitmap: new RoaringBitmap32(), isOwned: false };

function owned(bitmap: RoaringBitmap32): Evaluated {
  return { bitmap, isOwned: true };
}

function unionOf(bitmaps: ReadonlyRoaringBitmap32[]): Evaluated {
  if (bitmaps.length === 0) return EMPTY;
  if (bitmaps.length === 1) return { bitmap: bitmaps[0], isOwned: false };
  return owned(RoaringBitmap32.orMany(bitmaps));
}

function intersectionOf(parts: Evaluated[]): Evaluated {
  if (parts.length === 1) return parts[0];
  // smallest first keeps every intermediate result small
  const sorted = [...parts].sort((a, b) => a.bitmap.size - b.bitmap.size);
  const out = RoaringBitmap32.and(sorted[0].bitmap, sorted[1].bitmap);
  for (let i = 2; i < sorted.length && !out.isEmpty; i++) out.andInPlace(sorted[i].bitmap as RoaringBitmap32);
  return owned(out);
}

function valueBitmaps(index: AttributeIndex, attr: ProfileAttribute, keys: readonly string[]): (ReadonlyRoaringBitmap32 | undefined)[] {
  return keys.map((k) => index.valueBitmap(attr, k));
}

function evalNode(index: AttributeIndex, expr: RuleExpr): Evaluated {
  if ('and' in expr) {
    const positives: Evaluated[] = [];
    const negatives: Evaluated[] = [];
    for (const child of expr.and) {
      if ('not' in child) negatives.push(evalNode(index, child.not));
      else positives.push(evalNode(index, child));
    }
    // x and not y = x andNot y, so `not` children never materialise the universe complement
    const base = positives.length > 0 ? intersectionOf(positives) : { bitmap: index.universe, isOwned: false };
    if (negatives.length === 0) return base;
    const out = base.isOwned ? (base.bitmap as RoaringBitmap32) : base.bitmap.clone();
    for (const neg of negatives) {
      if (out.isEmpty) break;
      out.andNotInPlace(neg.bitmap as RoaringBitmap32);
    }
    return owned(out);
  }
  if ('or' in expr) {
    const parts = expr.or.map((child) => evalNode(index, child).bitmap);
    return unionOf(parts);
  }
  if ('not' in expr) {
    const inner = evalNode(index, expr.not);
    return owned(RoaringBitmap32.andNot(index.universe, inner.bitmap));
  }
  const spec = attributeSpec(expr.attr)!;
  const attr = spec.name;
  if ('range' in expr) {
    if (spec.kind === 'numeric') return owned(index.numericRange(attr, expr.range));
    // ordinal categorical: the values whose integer falls in the range
    const keys = index.values(attr).filter((v) => numericRangeContains(expr.range, Number(v)));
    return unionOf(valueBitmaps(index, attr, keys).filter((b): b is ReadonlyRoaringBitmap32 => b !== undefined));
  }
  if ('in' in expr || 'containsAny' in expr) {
    const raw: unknown[] = 'in' in expr ? expr.in : expr.containsAny;
    const keys = [...new Set(raw.map((v) => (spec.kind === 'multi' ? String(v).trim() : categoricalValueKey(spec, v)!)))];
    return unionOf(valueBitmaps(index, attr, keys).filter((b): b is ReadonlyRoaringBitmap32 => b !== undefined));
  }
  const keys = [...new Set(expr.containsAll.map((v) => v.trim()))];
  const bitmaps = valueBitmaps(index, attr, keys);
  if (bitmaps.some((b) => b === undefined)) return EMPTY;
  return intersectionOf(bitmaps.map((b) => ({ bitmap: b!, isOwned: false })));
}

export type EvaluateRuleResult = { kind: 'ok'; bitmap: RoaringBitmap32 } | { kind: 'invalid'; errors: RuleError[] };

/**
 * Materialise a rule as the bitmap of matching users (a fresh bitmap the caller owns).
 * Bitmap algebra: in/containsAny = union of value bitmaps, containsAll = intersection,
 * and = intersection smallest-first with `not` children applied as andNot,
 * or = union, a bare not = universe andNot x. Numeric ranges use the index's bucket index.
 * Users lacking an attribute match no test on it (and do match its negation).
 */
export function evaluateRule(index: AttributeIndex, expr: unknown): EvaluateRuleResult {
  const errors = validateRule(expr);
  if (errors.length > 0) return { kind: 'invalid', errors };
  const result = evalNode(index, expr as RuleExpr);
  return { kind: 'ok', bitmap: result.isOwned ? (result.bitmap as RoaringBitmap32) : result.bitmap.clone() };
}
