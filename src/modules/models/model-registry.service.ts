import { EventEmitter } from 'node:events';
import { Inject, Injectable, NotFoundException, ConflictException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import type { Transactions } from '../../platform/database/sql';
import { DATABASE } from '../../platform/tokens';
import { ModelRegistryRepository } from './model-registry.repository';
import type { ModelKind, ModelVersion } from './model-version';

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
    @Inject(DATABASE) private readonly database: Transactions,
    private readonly repository: ModelRegistryRepository,
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
    const registered = await this.database.transaction(async (manager) => {
      await input.fence?.(manager);
      await this.repository.lockModel(manager, input.modelId);
      const next = await this.repository.nextVersion(manager, input.modelId);
      if (status === 'active') await this.repository.retireActive(manager, input.modelId);
      const inserted = await this.repository.insertVersion(manager, {
        modelId: input.modelId,
        version: next,
        kind: input.kind,
        status,
        campaignId: input.campaignId ?? null,
        metrics: input.metrics,
        lineage: input.lineage,
        artifact: input.artifact,
      });
      if (input.state) await this.repository.insertState(manager, input.modelId, next, input.state);
      return inserted;
    });
    if (status === 'active') this.notify();
    return registered;
  }

  async promote(modelId: string, version: number): Promise<void> {
    await this.bus.change(async (manager) => {
      await this.repository.lockModel(manager, modelId);
      if (!(await this.repository.versionExists(manager, modelId, version))) throw new NotFoundException(`model ${modelId} has no version ${version}`);
      await this.repository.retireActiveOtherThan(manager, modelId, version);
      await this.repository.activate(manager, modelId, version);
    });
    this.notify();
  }

  /** Re-activates the newest retired version older than the active one; the active one is retired. */
  async rollback(modelId: string): Promise<ModelVersion> {
    const version = await this.bus.change(async (manager) => {
      await this.repository.lockModel(manager, modelId);
      const active = await this.repository.activeVersionNumber(manager, modelId);
      if (active === null) throw new NotFoundException(`model ${modelId} has no active version to roll back from`);
      const previous = await this.repository.previousRetired(manager, modelId, active);
      if (previous === null) throw new ConflictException(`model ${modelId} has no earlier version to roll back to`);
      await this.repository.retire(manager, modelId, active);
      await this.repository.activate(manager, modelId, previous);
      return (await this.repository.find(modelId, previous, manager))!;
    });
    this.notify();
    // As of the rollback: an online learner may publish a newer version right after (continuing from this one).
    return version;
  }

  active(modelId: string): Promise<ModelVersion | null> {
    return this.repository.findActive(modelId);
  }

  /** One version with its artifact. */
  version(modelId: string, version: number): Promise<ModelVersion | null> {
    return this.repository.find(modelId, version);
  }

  /** The active version of every model, else each model's newest version (no artifacts). */
  list(): Promise<ModelVersion[]> {
    return this.repository.listLatest();
  }

  /** Every version of a model, newest first (no artifacts). */
  versions(modelId: string, limit = 100): Promise<ModelVersion[]> {
    return this.repository.listVersions(modelId, limit);
  }

  /** (model, version, kind) of every active version: the serving poll. */
  activeVersions(): Promise<{ modelId: string; version: number; kind: ModelKind }[]> {
    return this.repository.activeVersions();
  }

  /** The stored learner state of a version, if any. */
  state(modelId: string, version: number): Promise<Buffer | null> {
    return this.repository.state(modelId, version);
  }

  /** Deletes all but the newest `keep` versions of a model (never the active one) and their states. */
  async prune(modelId: string, keep: number): Promise<number> {
    return this.database.transaction(async (manager) => {
      const cutoff = await this.repository.pruneCutoff(manager, modelId, keep);
      if (cutoff === null) return 0;
      return this.repository.deleteBelow(manager, modelId, cutoff);
    });
  }
}
