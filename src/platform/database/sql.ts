import type { EntityManager } from 'typeorm';

/** Anything that runs SQL: the data source's manager or a transaction's. */
export type Queryable = Pick<EntityManager, 'query'>;

/** Exact epoch-ms → timestamptz (integer microsecond arithmetic, so it equals what a JS Date writes). */
export const msToTs = (expr: string) => `('epoch'::timestamptz + (${expr}) * interval '1 millisecond')`;
export const tsToMs = (expr: string) => `(extract(epoch from ${expr}) * 1000)::float8`;

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, count] and INSERT/SELECT with rows. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
