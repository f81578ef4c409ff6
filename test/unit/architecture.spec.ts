import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

// Only repositories touch the database: controllers and services hold no SQL and no TypeORM query
// API, so the SQL of a table has one home and a service can be driven with in-memory fakes.
// Migrations (outside src) are SQL by nature.
const SRC_DIR = join(__dirname, '..', '..', 'src');
const DATABASE_CALLS: readonly { name: string; pattern: RegExp }[] = [
  { name: '.query(', pattern: /\.query\s*\(/ },
  { name: 'getRepository(', pattern: /\bgetRepository\s*\(/ },
  { name: 'createQueryBuilder(', pattern: /\bcreateQueryBuilder\s*\(/ },
  { name: 'createQueryRunner(', pattern: /\bcreateQueryRunner\s*\(/ },
  { name: '.dataSource', pattern: /\.dataSource\b/ },
  // An EntityManager's own data calls: a manager is handed to services only to pass on to repositories.
  { name: 'manager.<data call>(', pattern: /\b(?:manager|m|em|entityManager)\.(?:save|find|findOne|findBy|findOneBy|insert|update|delete|remove|count|upsert|increment|decrement|exists)\s*\(/ },
];
// DatabaseService owns the DataSource: it opens and closes it and lends it to repositories.
const OWNS_THE_DATA_SOURCE = new Set([['platform', 'database', 'database.service.ts'].join(sep)]);

function listTsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listTsFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** The database calls a file outside the repositories must not make. */
export function databaseCalls(source: string, path: string): string[] {
  if (path.endsWith('.repository.ts')) return [];
  return DATABASE_CALLS.filter(({ name, pattern }) => pattern.test(source) && !(name === '.dataSource' && OWNS_THE_DATA_SOURCE.has(path))).map(({ name }) => name);
}

describe('architecture: SQL only in repositories', () => {
  it.each([
    ["await this.database.dataSource.query('SELECT 1');", 'modules/x/x.service.ts', ['.query(', '.dataSource']],
    ["await manager.query('DELETE FROM t');", 'modules/x/x.controller.ts', ['.query(']],
    ['await m.save(SlotEntity, slot);', 'modules/x/x.service.ts', ['manager.<data call>(']],
    ['return this.manager(manager).find(SlotEntity);', 'modules/x/x.repository.ts', []],
    ['return database.repository.getRepository(Entity);', 'modules/x/x.service.ts', ['getRepository(']],
    ["manager.createQueryBuilder(Entity, 'e').getMany();", 'modules/x/x.service.ts', ['createQueryBuilder(']],
    ['const runner = ds.createQueryRunner();', 'platform/x/lease.ts', ['createQueryRunner(']],
    ["await manager.query('SELECT 1');", 'modules/x/x.repository.ts', []],
    ['return this.dataSource.transaction(work);', ['platform', 'database', 'database.service.ts'].join(sep), []],
    ['await this.database.transaction(async (manager) => this.repo.save(manager, row));', 'modules/x/x.service.ts', []],
  ])('%s in %s → %j', (source, path, expected) => {
    expect(databaseCalls(source, path)).toEqual(expected);
  });

  it('no file under src/ but a *.repository.ts runs SQL or reaches TypeORM', () => {
    const files = listTsFiles(SRC_DIR);
    expect(files.length).toBeGreaterThan(0);
    const violations = files.flatMap((file) => {
      const path = relative(SRC_DIR, file);
      return databaseCalls(readFileSync(file, 'utf8'), path).map((call) => `${path}: ${call}`);
    });
    expect(violations).toEqual([]);
  });
});
