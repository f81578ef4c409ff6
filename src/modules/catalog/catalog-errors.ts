import { ConflictException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';
import { validationError, type FieldProblem } from '../../platform/http/validation';

export { validationError };
export type { FieldProblem };

/** Collects field problems across checks and throws one 400 naming them all. */
export class ProblemList {
  private readonly problems = new Map<string, string[]>();

  add(field: string, problem: string): void {
    this.problems.set(field, [...(this.problems.get(field) ?? []), problem]);
  }

  get isEmpty(): boolean {
    return this.problems.size === 0;
  }

  throwIfAny(): void {
    if (!this.isEmpty) throw validationError([...this.problems].map(([field, problems]) => ({ field, problems })));
  }
}

export function notFound(what: string, id: string): NotFoundException {
  return new NotFoundException({ statusCode: 404, error: 'Not Found', message: `${what} ${id} does not exist` });
}

export function conflict(message: string, errors?: FieldProblem[], extra: Record<string, unknown> = {}): ConflictException {
  return new ConflictException({ statusCode: 409, error: 'Conflict', message, ...(errors ? { errors } : {}), ...extra });
}

/**
 * Optimistic concurrency: writers send If-Match with the ETag they read ("3" or W/"3").
 * Missing → 428, stale → 409 with the current version, so a client can re-read and retry.
 */
export function checkIfMatch(ifMatch: string | undefined, currentVersion: number, what: string): void {
  if (ifMatch === undefined || ifMatch === '') {
    throw new HttpException(
      { statusCode: 428, error: 'Precondition Required', message: `send If-Match with the ETag of the ${what} you read (current: "${currentVersion}")` },
      HttpStatus.PRECONDITION_REQUIRED,
    );
  }
  if (ifMatch.trim() === '*') return;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(ifMatch.trim());
  if (!match) throw validationError([{ field: 'If-Match', problems: ['must be an ETag such as "3"'] }]);
  if (Number(match[1]) !== currentVersion) {
    throw conflict(`the ${what} was changed by someone else: you sent version ${match[1]}, the current version is ${currentVersion}; re-read it and retry`, undefined, {
      currentVersion,
    });
  }
}

export function etag(version: number): string {
  return `"${version}"`;
}

/** The OpenAPI description of the If-Match header that every versioned write takes. */
export const IF_MATCH = { name: 'If-Match', required: true, description: 'ETag of the version you read, e.g. "3". Stale → 409; missing → 428.' };
