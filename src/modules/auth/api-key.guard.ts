import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyRole } from './api-key.entity';
import { ApiKeyService, type AuthenticatedKey } from './api-key.service';
import { PUBLIC_METADATA, ROLES_METADATA, roleSatisfies } from './roles.decorator';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  apiKey?: AuthenticatedKey;
}

export type ApiKeyCheck =
  | { readonly kind: 'allowed'; readonly key: AuthenticatedKey }
  | { readonly kind: 'unauthorized'; readonly message: string }
  | { readonly kind: 'forbidden'; readonly key: AuthenticatedKey; readonly message: string };

/**
 * The one check of `Authorization: Bearer <key>` against the roles a route needs. Used by the
 * global guard and by the Fastify hook in front of routes Nest doesn't own (bull-board).
 */
export async function checkApiKey(
  keys: ApiKeyService,
  authorization: string | string[] | undefined,
  required: readonly ApiKeyRole[] | undefined,
  nowMs: number,
): Promise<ApiKeyCheck> {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (!match) return { kind: 'unauthorized', message: 'missing API key: send "Authorization: Bearer <key>"' };
  const key = await keys.authenticate(match[1], nowMs);
  if (!key) return { kind: 'unauthorized', message: 'invalid or revoked API key' };
  if (!required || required.length === 0 || !roleSatisfies(key.role, required)) {
    return { kind: 'forbidden', key, message: `this route needs role ${required?.join(' or ') ?? '(none configured)'}; the key has role ${key.role}` };
  }
  return { kind: 'allowed', key };
}

/**
 * Lets a checked request through, with its key on `request.apiKey` when there is one, or throws the
 * 401 or 403 the check calls for. The global guard and the decision route (served outside Nest's
 * pipeline) admit requests the same way.
 */
export function admitOrThrow(check: ApiKeyCheck, request: AuthenticatedRequest): void {
  if (check.kind === 'unauthorized') throw new UnauthorizedException(check.message);
  request.apiKey = check.key;
  if (check.kind === 'forbidden') throw new ForbiddenException(check.message);
}

/** Global guard: 401 without a valid key, 403 with a key whose role isn't allowed on the route. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    const required = this.reflector.getAllAndOverride<ApiKeyRole[]>(ROLES_METADATA, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    admitOrThrow(await checkApiKey(this.keys, request.headers.authorization, required, Date.now()), request);
    return true;
  }
}
