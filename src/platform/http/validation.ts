import { applyDecorators, BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

export interface FieldProblem {
  field: string;
  problems: string[];
}

/** Flattens nested class-validator errors into dotted field paths ("schedule.endAt", "branches.0.method"). */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      out.push({ field, problems: Object.values(error.constraints).map((m) => m.replace(/^property (\S+) should not exist$/, 'is not an allowed field')) });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export function validationError(errors: FieldProblem[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Validation failed', errors });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationError(flattenValidationErrors(errors)),
  });
}

/** Start of a time window (inclusive), ISO date-time or epoch ms; `defaultText` says what is used without it. */
export const WindowFrom = (defaultText: string, of = '') =>
  applyDecorators(ApiPropertyOptional({ description: `Start (inclusive)${of}: ISO date-time or epoch ms. Default: ${defaultText}.` }), IsOptional(), IsString());

/** End of a time window (exclusive), ISO date-time or epoch ms, default now. */
export const WindowTo = () => applyDecorators(ApiPropertyOptional({ description: 'End (exclusive): ISO date-time or epoch ms. Default: now.' }), IsOptional(), IsString());
