import type { EntityManager } from 'typeorm';

/** Anything that runs SQL: the data source's manager or a transaction's. */
export type Queryable = Pick<EntityManager, 'query'>;

/**
 * Opens transactions (DatabaseService in the app). A service runs its unit of work in one and hands
 * the manager to the repository methods that belong to it; only repositories run SQL on it.
 */
export interface Transactions {
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
}

/** Exact epoch-ms → timestamptz (integer microsecond arithmetic, so it equals what a JS Date writes). */
export const msToTs = (expr: string) => `('epoch'::timestamptz + (${expr}) * interval '1 millisecond')`;
export const tsToMs = (expr: string) => `(extract(epoch from ${expr}) * 1000)::float8`;

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, count] and INSERT/SELECT with rows. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
