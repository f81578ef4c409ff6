import type { FieldProblem } from '../../platform/http/validation';

/** Expected failures of the audience services; controllers turn them into HTTP errors. */
export type AudienceFailure =
  | { kind: 'invalid'; errors: FieldProblem[] }
  | { kind: 'not-found'; message: string }
  | { kind: 'conflict'; message: string; details?: unknown }
  | { kind: 'too-large'; message: string };

export type AudienceResult<T> = { kind: 'ok'; value: T } | AudienceFailure;

export function ok<T>(value: T): { kind: 'ok'; value: T } {
  return { kind: 'ok', value };
}

export function invalid(field: string, ...problems: string[]): AudienceFailure {
  return { kind: 'invalid', errors: [{ field, problems }] };
}

export interface LineProblem {
  line: number;
  message: string;
}

export const MAX_REPORTED_PROBLEMS = 100;

/** TypeORM's postgres driver answers UPDATE/DELETE … RETURNING with [rows, affected]; SELECT and INSERT with rows. */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
