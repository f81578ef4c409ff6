import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { type ApiKeyRole, type AuthenticatedKey, roleSatisfies } from './roles';

/** What checks a presented key; the auth module's key service is the one implementation. */
export interface KeyAuthenticator {
  authenticate(presented: string, nowMs: number): Promise<AuthenticatedKey | null>;
}

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
 * global guard, by routes served outside Nest's pipeline, and by the hook in front of bull-board.
 */
export async function checkApiKey(
  keys: KeyAuthenticator,
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
 * 401 or 403 the check calls for, so every way in admits requests the same way.
 */
export function admitOrThrow(check: ApiKeyCheck, request: AuthenticatedRequest): void {
  if (check.kind === 'unauthorized') throw new UnauthorizedException(check.message);
  request.apiKey = check.key;
  if (check.kind === 'forbidden') throw new ForbiddenException(check.message);
}
