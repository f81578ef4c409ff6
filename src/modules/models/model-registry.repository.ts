import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import { type ModelKind, type ModelVersion, type ModelVersionRow, toModelVersion } from './model-version';

const LIST_COLUMNS = 'model_id, version, kind, status, campaign_id, metrics, lineage, octet_length(artifact) AS artifact_bytes, created_at';

export type NewModelVersion = Pick<ModelVersion, 'modelId' | 'version' | 'kind' | 'status' | 'campaignId' | 'metrics' | 'lineage' | 'artifact'>;

/**
 * Tables model_versions and model_states (learner state beside a version). Methods that take a
 * manager run in the caller's transaction, which takes the model's lock first (lockModel).
 */
@Injectable()
export class ModelRegistryRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /** Serialises the writers of one model until the caller's transaction ends. */
  async lockModel(manager: EntityManager, modelId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('model:' || $1))`, [modelId]);
  }

  /** The number the model's next version gets. */
  async nextVersion(manager: EntityManager, modelId: string): Promise<number> {
    const [{ next }] = await manager.query('SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE model_id = $1', [modelId]);
    return Number(next);
  }

  /** Retires the model's active version, if any. */
  async retireActive(manager: EntityManager, modelId: string): Promise<void> {
    await manager.query(`UPDATE model_versions SET status = 'retired' WHERE model_id = $1 AND status = 'active'`, [modelId]);
  }

  /** Inserts a version; returns it without its artifact bytes. */
  async insertVersion(manager: EntityManager, v: NewModelVersion): Promise<ModelVersion> {
    const inserted: ModelVersionRow[] = await manager.query(
      `INSERT INTO model_versions (model_id, version, kind, status, campaign_id, metrics, lineage, artifact)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${LIST_COLUMNS}`,
      [v.modelId, v.version, v.kind, v.status, v.campaignId, JSON.stringify(v.metrics), JSON.stringify(v.lineage), v.artifact],
    );
    return toModelVersion(inserted[0]);
  }

  async insertState(manager: EntityManager, modelId: string, version: number, state: Buffer): Promise<void> {
    await manager.query('INSERT INTO model_states (model_id, version, state) VALUES ($1, $2, $3)', [modelId, version, state]);
  }

  async versionExists(manager: EntityManager, modelId: string, version: number): Promise<boolean> {
    const found = await manager.query('SELECT status FROM model_versions WHERE model_id = $1 AND version = $2', [modelId, version]);
    return found.length > 0;
  }

  /** Retires the model's active version unless it is `version`. */
  async retireActiveOtherThan(manager: EntityManager, modelId: string, version: number): Promise<void> {
    await manager.query(`UPDATE model_versions SET status = 'retired' WHERE model_id = $1 AND status = 'active' AND version <> $2`, [modelId, version]);
  }

  async activate(manager: EntityManager, modelId: string, version: number): Promise<void> {
    await manager.query(`UPDATE model_versions SET status = 'active' WHERE model_id = $1 AND version = $2`, [modelId, version]);
  }

  async retire(manager: EntityManager, modelId: string, version: number): Promise<void> {
    await manager.query(`UPDATE model_versions SET status = 'retired' WHERE model_id = $1 AND version = $2`, [modelId, version]);
  }

  /** The number of the model's active version, as the caller's transaction sees it; null if none. */
  async activeVersionNumber(manager: EntityManager, modelId: string): Promise<number | null> {
    const active: { version: number }[] = await manager.query(`SELECT version FROM model_versions WHERE model_id = $1 AND status = 'active'`, [modelId]);
    return active.length ? active[0].version : null;
  }

  /** The newest retired version older than `version`; null if none. */
  async previousRetired(manager: EntityManager, modelId: string, version: number): Promise<number | null> {
    const previous: { version: number }[] = await manager.query(
      `SELECT version FROM model_versions WHERE model_id = $1 AND status = 'retired' AND version < $2 ORDER BY version DESC LIMIT 1`,
      [modelId, version],
    );
    return previous.length ? previous[0].version : null;
  }

  /** One version with its artifact (in the caller's transaction when given a manager). */
  async find(modelId: string, version: number, manager: Pick<EntityManager, 'query'> = this.database.dataSource): Promise<ModelVersion | null> {
    const rows: ModelVersionRow[] = await manager.query(`SELECT ${LIST_COLUMNS}, artifact FROM model_versions WHERE model_id = $1 AND version = $2`, [modelId, version]);
    return rows.length ? toModelVersion(rows[0]) : null;
  }

  /** The model's active version with its artifact. */
  async findActive(modelId: string): Promise<ModelVersion | null> {
    const rows: ModelVersionRow[] = await this.database.dataSource.query(
      `SELECT ${LIST_COLUMNS}, artifact FROM model_versions WHERE model_id = $1 AND status = 'active'`,
      [modelId],
    );
    return rows.length ? toModelVersion(rows[0]) : null;
  }

  /** The active version of every model, else each model's newest version (no artifacts). */
  async listLatest(): Promise<ModelVersion[]> {
    const rows: ModelVersionRow[] = await this.database.dataSource.query(
      `SELECT DISTINCT ON (model_id) ${LIST_COLUMNS} FROM model_versions ORDER BY model_id, (status = 'active') DESC, version DESC`,
    );
    return rows.map(toModelVersion);
  }

  /** The model's versions, newest first (no artifacts). */
  async listVersions(modelId: string, limit: number): Promise<ModelVersion[]> {
    const rows: ModelVersionRow[] = await this.database.dataSource.query(
      `SELECT ${LIST_COLUMNS} FROM model_versions WHERE model_id = $1 ORDER BY version DESC LIMIT $2`,
      [modelId, limit],
    );
    return rows.map(toModelVersion);
  }

  /** (model, version, kind) of every active version. */
  async activeVersions(): Promise<{ modelId: string; version: number; kind: ModelKind }[]> {
    const rows: { model_id: string; version: number; kind: ModelKind }[] = await this.database.dataSource.query(
      `SELECT model_id, version, kind FROM model_versions WHERE status = 'active'`,
    );
    return rows.map((r) => ({ modelId: r.model_id, version: Number(r.version), kind: r.kind }));
  }

  async state(modelId: string, version: number): Promise<Buffer | null> {
    const rows: { state: Buffer }[] = await this.database.dataSource.query('SELECT state FROM model_states WHERE model_id = $1 AND version = $2', [modelId, version]);
    return rows.length ? rows[0].state : null;
  }

  /** The version number below which nothing is kept when keeping the newest `keep`; null when the model has no more than that. */
  async pruneCutoff(manager: EntityManager, modelId: string, keep: number): Promise<number | null> {
    const cutoff: { v: number | null }[] = await manager.query('SELECT version AS v FROM model_versions WHERE model_id = $1 ORDER BY version DESC OFFSET $2 LIMIT 1', [
      modelId,
      Math.max(0, keep - 1),
    ]);
    return cutoff.length === 0 || cutoff[0].v === null ? null : cutoff[0].v;
  }

  /** Deletes the versions below the cutoff except the active one, and their states; returns how many versions went. */
  async deleteBelow(manager: EntityManager, modelId: string, cutoff: number): Promise<number> {
    const deleted = await manager.query(`DELETE FROM model_versions WHERE model_id = $1 AND version < $2 AND status <> 'active' RETURNING version`, [modelId, cutoff]);
    await manager.query(
      `DELETE FROM model_states s WHERE s.model_id = $1 AND s.version < $2 AND NOT EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = s.model_id AND v.version = s.version)`,
      [modelId, cutoff],
    );
    const rows = Array.isArray(deleted[0]) ? deleted[0] : deleted;
    return rows.length;
  }
}
