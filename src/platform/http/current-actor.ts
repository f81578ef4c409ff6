import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedKey } from './roles';

/** The API key that made the request (set by the API-key check), for audit entries. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedKey | null => {
  return context.switchToHttp().getRequest<{ apiKey?: AuthenticatedKey }>().apiKey ?? null;
});
