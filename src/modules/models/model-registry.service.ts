import { EventEmitter } from 'node:events';
import { Inject, Injectable, NotFoundException, ConflictException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import { type ModelKind, type ModelVersion, type ModelVersionRow, toModelVersion } from './model-version';

const LIST_COLUMNS = 'model_id, version, kind, status, campaign_id, metrics, lineage, octet_length(artifact) AS artifact_bytes, created_at';

export interface RegisterVersionInput {
  modelId: string;
  kind: ModelKind;
  campaignId?: string | null;
  metrics: Record<string, unknown>;
  lineage: Record<string, unknown>;
  artifact: Buffer | null;
  status?: 'candidate' | 'active';
  /** Learner state stored beside the version (model_states), for restart and rollback. */
  state?: Buffer | null;
  /** Runs first in the registering transaction; throwing registers nothing (e.g. a lease's fence). */
  fence?: (manager: EntityManager) => Promise<void>;
}

/**
 * The model registry (table model_versions). Promote and rollback bump the configuration version so
 * every API node reloads at once; frequent publishes (FTRL every few seconds) only notify locally and
 * are picked up by the serving poll, so they don't rebuild every node's decision snapshot.
 */
@Injectable()
export class ModelRegistryService {
  private readonly local = new EventEmitter();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseService,
    private readonly bus: ConfigChangeBus,
  ) {
    this.local.setMaxListeners(50);
  }

  /** Called after any change to which version is active (in this process). */
  onActiveChange(listener: () => void): () => void {
    this.local.on('change', listener);
    return () => this.local.off('change', listener);
  }

  private notify(): void {
    this.local.emit('change');
  }

  async registerVersion(input: RegisterVersionInput): Promise<ModelVersion> {
    const status = input.status ?? 'candidate';
    const row = await this.database.dataSource.transaction(async (manager) => {
      await input.fence?.(manager);
      await this.lockModel(manager, input.modelId);
      const [{ next }] = await manager.query('SELECT coalesce(max(version), 0) + 1 AS next FROM model_versions WHERE model_id = $1', [input.modelId]);
      if (status === 'active') await manager.query(`UPDATE model_versions SET status = 'retired' WHERE model_id = $1 AND status = 'active'`, [input.modelId]);
      const inserted: ModelVersionRow[] = await manager.query(
        `INSERT INTO model_versions (model_id, version, kind, status, campaign_id, metrics, lineage, artifact)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${LIST_COLUMNS}`,
        [input.modelId, Number(next), input.kind, status, input.campaignId ?? null, JSON.stringify(input.metrics), JSON.stringify(input.lineage), input.artifact],
      );
      if (input.state) await manager.query('INSERT INTO model_states (model_id, version, state) VALUES ($1, $2, $3)', [input.modelId, Number(next), input.state]);
      return inserted[0];
    });
    if (status === 'active') this.notify();
    return toModelVersion(row);
  }

  async promote(modelId: string, version: number): Promise<void> {
    await this.bus.change(async (manager) => {
      await this.lockModel(manager, modelId);
      const found = await manager.query('SELECT status FROM model_versions WHERE model_id = $1 AND version = $2', [modelId, version]);
      if (found.length === 0) throw new NotFoundException(`model ${modelId} has no version ${version}`);
      await manager.query(`UPDATE model_versions SET status = 'retired' WHERE model_id = $1 AND status = 'active' AND version <> $2`, [modelId, version]);
      await manager.query(`UPDATE model_versions SET status = 'active' WHERE model_id = $1 AND version = $2`, [modelId, version]);
    });
    this.notify();
  }

  /** Re-activates the newest retired version older than the active one; the active one is retired. */
  async rollback(modelId: string): Promise<ModelVersion> {
    const version = await this.bus.change(async (manager) => {
      await this.lockModel(manager, modelId);
      const active: { version: number }[] = await manager.query(`SELECT version FROM model_versions WHERE model_id = $1 AND status = 'active'`, [modelId]);
      if (active.length === 0) throw new NotFoundException(`model ${modelId} has no active version to roll back from`);
      const previous: { version: number }[] = await manager.query(
        `SELECT version FROM model_versions WHERE model_id = $1 AND status = 'retired' AND version < $2 ORDER BY version DESC LIMIT 1`,
        [modelId, active[0].version],
      );
      if (previous.length === 0) throw new ConflictException(`model ${modelId} has no earlier version to roll back to`);
      await manager.query(`UPDATE model_versions SET status = 'retired' WHERE model_id = $1 AND version = $2`, [modelId, active[0].version]);
      await manager.query(`UPDATE model_versions SET status = 'active' WHERE model_id = $1 AND version = $2`, [modelId, previous[0].version]);
      const rows: ModelVersionRow[] = await manager.query(`SELECT ${LIST_COLUMNS}, artifact FROM model_versions WHERE model_id = $1 AND version = $2`, [modelId, previous[0].version]);
      return toModelVersion(rows[0]);
    });
    this.notify();
    // As of the rollback: an online learner may publish a newer version right after (continuing from this one).
    return version;
  }

  async active(modelId: string): Promise<ModelVersion | null> {
    const rows: ModelVersionRow[] = await this.database.dataSource.query(
      `SELECT ${LIST_COLUMNS}, artifact FROM model_versions WHERE model_id = $1 AND status = 'active'`,
      [modelId],
    );
    return rows.length ? toModelVersion(rows[0]) : null;
  }

  /** One version with its artifact. */
  async version(modelId: string, version: number): Promise<ModelVersion | null> {
    const rows: ModelVersionRow[] = await this.database.dataSource.query(`SELECT ${LIST_COLUMNS}, artifact FROM model_versions WHERE model_id = $1 AND version = $2`, [
      modelId,
      version,
    ]);
    return rows.length ? toModelVersion(rows[0]) : null;
  }

  /** The active version of every model, else each model's newest version (no artifacts). */
  async list(): Promise<ModelVersion[]> {
    const rows: ModelVersionRow[] = await this.database.dataSource.query(
      `SELECT DISTINCT ON (model_id) ${LIST_COLUMNS} FROM model_versions ORDER BY model_id, (status = 'active') DESC, version DESC`,
    );
    return rows.map(toModelVersion);
  }

  /** Every version of a model, newest first (no artifacts). */
  async versions(modelId: string, limit = 100): Promise<ModelVersion[]> {
    const rows: ModelVersionRow[] = await this.database.dataSource.query(
      `SELECT ${LIST_COLUMNS} FROM model_versions WHERE model_id = $1 ORDER BY version DESC LIMIT $2`,
      [modelId, limit],
    );
    return rows.map(toModelVersion);
  }

  /** (model, version, kind) of every active version: the serving poll. */
  async activeVersions(): Promise<{ modelId: string; version: number; kind: ModelKind }[]> {
    const rows: { model_id: string; version: number; kind: ModelKind }[] = await this.database.dataSource.query(
      `SELECT model_id, version, kind FROM model_versions WHERE status = 'active'`,
    );
    return rows.map((r) => ({ modelId: r.model_id, version: Number(r.version), kind: r.kind }));
  }

  /** The stored learner state of a version, if any. */
  async state(modelId: string, version: number): Promise<Buffer | null> {
    const rows: { state: Buffer }[] = await this.database.dataSource.query('SELECT state FROM model_states WHERE model_id = $1 AND version = $2', [modelId, version]);
    return rows.length ? rows[0].state : null;
  }

  /** Deletes all but the newest `keep` versions of a model (never the active one) and their states. */
  async prune(modelId: string, keep: number): Promise<number> {
    return this.database.dataSource.transaction(async (manager) => {
      const cutoff: { v: number | null }[] = await manager.query(
        'SELECT version AS v FROM model_versions WHERE model_id = $1 ORDER BY version DESC OFFSET $2 LIMIT 1',
        [modelId, Math.max(0, keep - 1)],
      );
      if (cutoff.length === 0 || cutoff[0].v === null) return 0;
      const deleted = await manager.query(`DELETE FROM model_versions WHERE model_id = $1 AND version < $2 AND status <> 'active' RETURNING version`, [modelId, cutoff[0].v]);
      await manager.query(
        `DELETE FROM model_states s WHERE s.model_id = $1 AND s.version < $2 AND NOT EXISTS (SELECT 1 FROM model_versions v WHERE v.model_id = s.model_id AND v.version = s.version)`,
        [modelId, cutoff[0].v],
      );
      const rows = Array.isArray(deleted[0]) ? deleted[0] : deleted;
      return rows.length;
    });
  }

  private async lockModel(manager: EntityManager, modelId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('model:' || $1))`, [modelId]);
  }
}
