import type { SchemaObject } from '@nestjs/swagger';
import type { FieldProblem } from '../../platform/http/validation';

/**
 * A JSON request body described once, as a table of fields, from which come its TypeScript type
 * (BodyOf), its check and its OpenAPI schema (BodyDefinition).
 *
 * Why a table of our own rather than ajv or TypeBox: the errors must keep the shape every route
 * answers with, one `{ field, problems: [message] }` per bad field, in this codebase's messages.
 * From ajv that takes ajv-errors templates per keyword, a custom keyword for the flat context
 * object and a pass regrouping its errors by field, plus two dependencies, for a handful of
 * fields. The check must also stay cheap (the decision route runs it thousands of times a second;
 * class-validator cost more than the rest of that route's handling), and a walk of this table is:
 * it allocates nothing for a valid body.
 */
export type BodyField = (
  | { readonly type: 'string'; readonly minLength: number; readonly maxLength: number }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'integer'; readonly minimum: number; readonly maximum: number }
  | { readonly type: 'boolean' }
  /** An object of at most maxProperties keys (≤ maxKeyLength chars) whose values are strings (≤ maxValueLength chars), finite numbers or booleans. */
  | { readonly type: 'flat-object'; readonly maxProperties: number; readonly maxKeyLength: number; readonly maxValueLength: number }
) & {
  readonly required?: true;
  readonly description?: string;
  readonly example: unknown;
};

export type BodyFields = Readonly<Record<string, BodyField>>;

type ValueOf<F extends BodyField> = F extends { type: 'enum'; values: readonly (infer V)[] }
  ? V
  : F extends { type: 'string' }
    ? string
    : F extends { type: 'integer' }
      ? number
      : F extends { type: 'boolean' }
        ? boolean
        : Record<string, string | number | boolean>;

type RequiredNames<T extends BodyFields> = { [K in keyof T]: T[K] extends { required: true } ? K : never }[keyof T];

/** The body's TypeScript type: required fields as they are, the others optional. */
export type BodyOf<T extends BodyFields> = { -readonly [K in RequiredNames<T>]: ValueOf<T[K]> } & { -readonly [K in Exclude<keyof T, RequiredNames<T>>]?: ValueOf<T[K]> };

export type BodyCheck<B> = { kind: 'valid'; input: B } | { kind: 'invalid'; errors: FieldProblem[] };

/**
 * A body's table, compiled for checking: its field names in order, and a set per enum. check() walks
 * the fields with one switch on their kind (the table's objects are constants, so the checks stay
 * monomorphic) and allocates nothing for a valid body.
 */
export class BodyDefinition<T extends BodyFields> {
  /** The OpenAPI schema of the body (register it with @ApiBody({ schema })). */
  readonly schema: SchemaObject;
  private readonly names: readonly (keyof T & string)[];
  private readonly known: ReadonlySet<string>;
  private readonly enums: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(readonly fields: T) {
    this.names = Object.keys(fields);
    this.known = new Set(this.names);
    this.enums = new Map(this.names.flatMap((name) => (fields[name].type === 'enum' ? [[name, new Set((fields[name] as { values: readonly string[] }).values)] as const] : [])));
    this.schema = bodySchema(fields);
  }

  /**
   * Checks a parsed JSON body: unknown fields first (each 'is not an allowed field'), then every
   * field in table order, one problem per bad field. A valid body has only known fields, each
   * checked, so it is passed on as it is rather than copied.
   */
  check(body: unknown): BodyCheck<BodyOf<T>> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return { kind: 'invalid', errors: [{ field: 'body', problems: ['must be a JSON object'] }] };
    const b = body as Record<string, unknown>;
    let errors: FieldProblem[] | null = null;
    for (const key in b) {
      if (Object.hasOwn(b, key) && !this.known.has(key)) (errors ??= []).push({ field: key, problems: ['is not an allowed field'] });
    }
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i];
      const field = this.fields[name];
      const value = b[name];
      if (value === undefined && field.required !== true) continue;
      const problem = this.problemOf(name, field, value);
      if (problem !== null) (errors ??= []).push({ field: name, problems: [problem] });
    }
    return errors === null ? { kind: 'valid', input: b as BodyOf<T> } : { kind: 'invalid', errors };
  }

  /** Why `value` does not fit `field` (undefined: the field is missing), or null when it does. */
  private problemOf(name: string, field: BodyField, value: unknown): string | null {
    switch (field.type) {
      case 'string':
        if (typeof value !== 'string') return 'must be a string';
        return value.length < field.minLength || value.length > field.maxLength ? `must be ${field.minLength}..${field.maxLength} characters long` : null;
      case 'enum':
        return typeof value === 'string' && (this.enums.get(name) as ReadonlySet<string>).has(value) ? null : `${name} must be one of ${field.values.join(', ')}`;
      case 'integer':
        return Number.isInteger(value) && (value as number) >= field.minimum && (value as number) <= field.maximum ? null : `must be an integer in ${field.minimum}..${field.maximum}`;
      case 'boolean':
        return typeof value === 'boolean' ? null : 'must be a boolean';
      case 'flat-object':
        return flatObjectProblem(field, value);
    }
  }
}

function flatObjectProblem(field: Extract<BodyField, { type: 'flat-object' }>, value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'must be an object';
  let keys = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (++keys > field.maxProperties) return `must have at most ${field.maxProperties} keys`;
    if (key.length > field.maxKeyLength) return `key "${key.slice(0, 20)}…" is longer than ${field.maxKeyLength} characters`;
    const v = (value as Record<string, unknown>)[key];
    const ok = (typeof v === 'string' && v.length <= field.maxValueLength) || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';
    if (!ok) return `${key} must be a string (≤${field.maxValueLength} chars), a finite number or a boolean`;
  }
  return null;
}

/** The body's OpenAPI (3.0) schema: the same limits as check(), as schema keywords where OpenAPI has one. */
function bodySchema(fields: BodyFields): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(fields)) {
    if (field.required === true) required.push(name);
    const documented = { example: field.example, ...(field.description === undefined ? {} : { description: field.description }) };
    switch (field.type) {
      case 'string':
        properties[name] = { type: 'string', minLength: field.minLength, maxLength: field.maxLength, ...documented };
        break;
      case 'enum':
        properties[name] = { type: 'string', enum: [...field.values], ...documented };
        break;
      case 'integer':
        properties[name] = { type: 'integer', minimum: field.minimum, maximum: field.maximum, ...documented };
        break;
      case 'boolean':
        properties[name] = { type: 'boolean', ...documented };
        break;
      case 'flat-object':
        properties[name] = {
          type: 'object',
          maxProperties: field.maxProperties,
          additionalProperties: { oneOf: [{ type: 'string', maxLength: field.maxValueLength }, { type: 'number' }, { type: 'boolean' }] },
          ...documented,
          // OpenAPI 3.0 has no keyword for the length of keys (propertyNames is 3.1): the description says it.
          description: `${field.description ?? ''} Flat: at most ${field.maxProperties} keys (≤${field.maxKeyLength} chars) whose values are strings (≤${field.maxValueLength} chars), finite numbers or booleans.`.trim(),
        };
        break;
    }
  }
  return { type: 'object', additionalProperties: false, required, properties };
}
