import { http } from './test-app';

export type Role = 'admin' | 'operator' | 'viewer' | 'slot-client';
export const ALL_ROLES: Role[] = ['admin', 'operator', 'viewer', 'slot-client'];
const IMPLIED: Record<Role, Role[]> = { admin: ['admin', 'operator', 'viewer'], operator: ['operator', 'viewer'], viewer: ['viewer'], 'slot-client': ['slot-client'] };

export interface RouteSpec {
  method: string;
  path: string;
  roles: Role[] | null;
  isPublic: boolean;
}

/** Every operation in the served OpenAPI document, with its x-roles / x-public extension. */
export async function listRoutes(base: string): Promise<RouteSpec[]> {
  const doc = (await http(base, 'GET', '/docs-json')).body as { paths: Record<string, Record<string, any>> };
  const routes: RouteSpec[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      routes.push({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'), roles: op['x-roles'] ?? null, isPublic: op['x-public'] === true });
    }
  }
  return routes;
}

export function allowed(held: Role, required: Role[]): boolean {
  return required.some((r) => IMPLIED[held].includes(r));
}

/**
 * For every route: no key → 401, a key of each role that isn't allowed → 403, and each allowed
 * role gets past auth (any status but 401/403). Bodies are empty, so allowed calls usually
 * answer 400/404 — which proves auth ran first without changing anything.
 */
export async function checkAuthMatrix(base: string, keys: Record<Role, string>): Promise<string[]> {
  const failures: string[] = [];
  for (const route of await listRoutes(base)) {
    if (route.isPublic) continue;
    if (!route.roles) {
      failures.push(`${route.method} ${route.path}: no x-roles in OpenAPI`);
      continue;
    }
    const send = (key?: string) => http(base, route.method, route.path, { key, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
    const anonymous = await send();
    if (anonymous.status !== 401) failures.push(`${route.method} ${route.path} without key: ${anonymous.status}`);
    for (const role of ALL_ROLES) {
      const result = await send(keys[role]);
      const ok = allowed(role, route.roles);
      if (ok && (result.status === 401 || result.status === 403)) failures.push(`${route.method} ${route.path} as ${role}: ${result.status}, expected past auth`);
      if (!ok && result.status !== 403) failures.push(`${route.method} ${route.path} as ${role}: ${result.status}, expected 403`);
    }
  }
  return failures;
}

export async function createKeys(base: string, adminKey: string): Promise<Record<Role, string>> {
  const keys = { admin: adminKey } as Record<Role, string>;
  for (const role of ALL_ROLES.filter((r) => r !== 'admin')) {
    const created = await http(base, 'POST', '/v1/api-keys', { key: adminKey, body: { name: `test ${role}`, role } });
    if (created.status !== 201) throw new Error(`could not create ${role} key: ${created.status} ${created.text}`);
    keys[role] = created.body.key;
  }
  return keys;
}
