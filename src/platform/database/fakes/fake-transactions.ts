import type { EntityManager } from 'typeorm';
import type { Transactions } from '../sql';

/**
 * Runs a unit of work at once, handing it a manager that refuses SQL: the repositories it calls
 * must be in-memory fakes, which ignore the manager. What a fake cannot do: roll back. Work that
 * throws leaves whatever the fakes already wrote, where a database would keep none of it; and
 * nothing is isolated or locked, which only matters to concurrent work (a unit test runs one at a time).
 */
export class FakeTransactions implements Transactions {
  /** Units of work run so far. */
  count = 0;

  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    this.count += 1;
    return work(NO_SQL_MANAGER);
  }
}

const NO_SQL_MANAGER = {
  query: () => Promise.reject(new Error('a fake transaction runs no SQL: use the in-memory repositories')),
} as unknown as EntityManager;
