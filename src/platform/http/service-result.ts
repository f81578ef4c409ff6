import type { FieldProblem } from './validation';

/** Expected failures of a service; controllers turn them into HTTP errors. */
export type ServiceFailure =
  | { kind: 'invalid'; errors: FieldProblem[] }
  | { kind: 'not-found'; message: string }
  | { kind: 'conflict'; message: string; details?: unknown }
  | { kind: 'too-large'; message: string };

export type ServiceResult<T> = { kind: 'ok'; value: T } | ServiceFailure;

export function ok<T>(value: T): { kind: 'ok'; value: T } {
  return { kind: 'ok', value };
}

export function invalid(field: string, ...problems: string[]): ServiceFailure {
  return { kind: 'invalid', errors: [{ field, problems }] };
}

export interface LineProblem {
  line: number;
  message: string;
}

export const MAX_REPORTED_PROBLEMS = 100;
