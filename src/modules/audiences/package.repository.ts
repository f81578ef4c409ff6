import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import type { PackageKind, PackageStatus } from './audience.entities';
import { rowsOf } from '../../platform/database/sql';

/** Versions kept per package (the current one included) for inspection and rollback. */
export const KEPT_PACKAGE_VERSIONS = 10;

export interface PackageRecord {
  id: string;
  key: string;
  name: string;
  kind: PackageKind;
  definition: unknown;
  version: number;
  size: number;
  status: PackageStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface PackageVersionRecord {
  version: number;
  size: number;
  createdAt: Date;
}

interface PackageRow {
  id: string;
  key: string;
  name: string;
  kind: PackageKind;
  definition: unknown;
  version: number;
  size: number;
  status: PackageStatus;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, key, name, kind, definition, version, size, status, created_at, updated_at';

function toRecord(row: PackageRow): PackageRecord {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    kind: row.kind,
    definition: row.definition,
    version: row.version,
    size: row.size,
    status: row.status,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Every method takes an optional manager: embedded mode has one connection, so a transaction's queries must go through it. */
@Injectable()
export class PackageRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  private q(manager?: EntityManager): { query: EntityManager['query'] } {
    return manager ?? this.database.dataSource;
  }

  async list(manager?: EntityManager): Promise<PackageRecord[]> {
    const rows: PackageRow[] = await this.q(manager).query(`SELECT ${COLUMNS} FROM user_packages ORDER BY key`);
    return rows.map(toRecord);
  }

  async findByKey(key: string, manager?: EntityManager, options: { forUpdate?: boolean } = {}): Promise<PackageRecord | null> {
    const rows: PackageRow[] = await this.q(manager).query(`SELECT ${COLUMNS} FROM user_packages WHERE key = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [key]);
    return rows.length === 0 ? null : toRecord(rows[0]);
  }

  async findManyByKeys(keys: readonly string[], manager?: EntityManager): Promise<PackageRecord[]> {
    const rows: PackageRow[] = await this.q(manager).query(`SELECT ${COLUMNS} FROM user_packages WHERE key = ANY($1::text[])`, [keys]);
    return rows.map(toRecord);
  }

  async insert(
    fields: { key: string; name: string; kind: PackageKind; definition: unknown },
    manager?: EntityManager,
  ): Promise<PackageRecord | null> {
    const rows: PackageRow[] = await this.q(manager).query(
      `INSERT INTO user_packages (key, name, kind, definition, status) VALUES ($1, $2, $3, $4::jsonb, 'pending')
       ON CONFLICT (key) DO NOTHING RETURNING ${COLUMNS}`,
      [fields.key, fields.name, fields.kind, fields.definition === null ? null : JSON.stringify(fields.definition)],
    );
    return rows.length === 0 ? null : toRecord(rows[0]);
  }

  async updateDefinition(id: string, fields: { name: string; definition: unknown }, manager?: EntityManager): Promise<void> {
    await this.q(manager).query(`UPDATE user_packages SET name = $2, definition = $3::jsonb, updated_at = now() WHERE id = $1`, [
      id,
      fields.name,
      fields.definition === null ? null : JSON.stringify(fields.definition),
    ]);
  }

  /** The current bitmaps (portable roaring) of the given packages; pending ones have none. */
  async bitmaps(keys: readonly string[], manager?: EntityManager): Promise<{ key: string; version: number; bitmap: Buffer | null }[]> {
    return this.q(manager).query(`SELECT key, version, bitmap FROM user_packages WHERE key = ANY($1::text[])`, [keys]);
  }

  async currentBitmap(id: string, manager?: EntityManager): Promise<Buffer | null> {
    const rows: { bitmap: Buffer | null }[] = await this.q(manager).query('SELECT bitmap FROM user_packages WHERE id = $1', [id]);
    return rows[0]?.bitmap ?? null;
  }

  /**
   * Writes a new version: the package row and its version history change together, inside the
   * caller's transaction (which also bumps the configuration version), so no reader sees half of it.
   */
  async writeVersion(manager: EntityManager, id: string, bitmap: Buffer, size: number): Promise<number> {
    const rows = rowsOf<{ version: number }>(
      await manager.query(
        `UPDATE user_packages SET version = version + 1, bitmap = $2, size = $3, status = 'ready', updated_at = now() WHERE id = $1 RETURNING version`,
        [id, bitmap, size],
      ),
    );
    const version = rows[0].version;
    await manager.query('INSERT INTO user_package_versions (package_id, version, bitmap, size) VALUES ($1, $2, $3, $4)', [id, version, bitmap, size]);
    await manager.query('DELETE FROM user_package_versions WHERE package_id = $1 AND version <= $2', [id, version - KEPT_PACKAGE_VERSIONS]);
    return version;
  }

  async versions(id: string, manager?: EntityManager): Promise<PackageVersionRecord[]> {
    const rows: { version: number; size: number; created_at: Date }[] = await this.q(manager).query(
      'SELECT version, size, created_at FROM user_package_versions WHERE package_id = $1 ORDER BY version DESC',
      [id],
    );
    return rows.map((r) => ({ version: r.version, size: r.size, createdAt: new Date(r.created_at) }));
  }

  async versionBitmap(id: string, version: number, manager?: EntityManager): Promise<Buffer | null> {
    const rows: { bitmap: Buffer }[] = await this.q(manager).query('SELECT bitmap FROM user_package_versions WHERE package_id = $1 AND version = $2', [id, version]);
    return rows[0]?.bitmap ?? null;
  }

  /** Combination packages that name `key` among their inputs. */
  async dependentsOf(key: string, manager?: EntityManager): Promise<string[]> {
    const rows: { key: string }[] = await this.q(manager).query(
      `SELECT key FROM user_packages WHERE kind = 'combination' AND definition @> jsonb_build_object('packages', jsonb_build_array($1::text)) ORDER BY key`,
      [key],
    );
    return rows.map((r) => r.key);
  }

  /** Every combination package with its inputs: the dependency graph (packages number in the hundreds, not millions). */
  async combinationInputs(manager?: EntityManager): Promise<Map<string, string[]>> {
    const rows: { key: string; definition: { packages?: unknown } | null }[] = await this.q(manager).query(
      `SELECT key, definition FROM user_packages WHERE kind = 'combination'`,
    );
    return new Map(rows.map((r) => [r.key, Array.isArray(r.definition?.packages) ? (r.definition!.packages as string[]) : []]));
  }

  async ruleKeys(manager?: EntityManager): Promise<string[]> {
    const rows: { key: string }[] = await this.q(manager).query(`SELECT key FROM user_packages WHERE kind = 'rule' ORDER BY key`);
    return rows.map((r) => r.key);
  }

  async delete(id: string, manager?: EntityManager): Promise<void> {
    await this.q(manager).query('DELETE FROM user_packages WHERE id = $1', [id]);
  }

  /** key and version of every package, with the configuration version, read in one statement (one snapshot). */
  async versionsWithConfig(manager?: EntityManager): Promise<{ configVersion: number; packages: { key: string; version: number }[] }> {
    const rows: { config_version: string; key: string | null; version: number | null }[] = await this.q(manager).query(
      `SELECT c.version AS config_version, p.key, p.version FROM config_state c LEFT JOIN user_packages p ON true WHERE c.id = 1`,
    );
    return {
      configVersion: rows.length > 0 ? Number(rows[0].config_version) : 0,
      packages: rows.filter((r) => r.key !== null).map((r) => ({ key: r.key!, version: r.version! })),
    };
  }
}
