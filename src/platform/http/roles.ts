import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const API_KEY_ROLES = ['admin', 'operator', 'viewer', 'slot-client'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** The key a request was admitted with, as routes and audit entries see it (never the secret). */
export interface AuthenticatedKey {
  readonly id: string;
  readonly name: string;
  readonly role: ApiKeyRole;
  readonly scope: string | null;
}

export const ROLES_METADATA = 'musicboss:roles';
export const PUBLIC_METADATA = 'musicboss:public';

/** Roles allowed on a route. Routes without @Roles or @Public are refused: secure by default. */
// The roles are also published in OpenAPI as x-roles, so client developers (and the auth-matrix test) can read them.
export const Roles = (...roles: ApiKeyRole[]) => applyDecorators(SetMetadata(ROLES_METADATA, roles), ApiExtension('x-roles', roles));

/** A route anyone may call (health, metrics, signed tracking links verify their own signature). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_METADATA, true), ApiExtension('x-public', true));

/**
 * admin ⊇ operator ⊇ viewer; slot-client stands apart so an app key leaked from a phone can
 * request decisions and report events but read or change nothing.
 */
const IMPLIED_ROLES: Record<ApiKeyRole, readonly ApiKeyRole[]> = {
  admin: ['admin', 'operator', 'viewer'],
  operator: ['operator', 'viewer'],
  viewer: ['viewer'],
  'slot-client': ['slot-client'],
};

export function roleSatisfies(held: ApiKeyRole, required: readonly ApiKeyRole[]): boolean {
  return required.some((role) => IMPLIED_ROLES[held].includes(role));
}
