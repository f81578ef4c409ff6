import { Inject, Injectable } from '@nestjs/common';
import { IsNull, type Repository } from 'typeorm';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import { ApiKeyEntity } from './api-key.entity';
import type { ApiKeyRole } from '../../platform/http/roles';

@Injectable()
export class ApiKeyRepository {
  private readonly repo: Repository<ApiKeyEntity>;

  constructor(@Inject(DATABASE) database: DatabaseService) {
    this.repo = database.dataSource.getRepository(ApiKeyEntity);
  }

  listActive(): Promise<ApiKeyEntity[]> {
    return this.repo.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  listAll(): Promise<ApiKeyEntity[]> {
    return this.repo.find({ order: { createdAt: 'ASC' } });
  }

  findActiveByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOne({ where: { keyHash, revokedAt: IsNull() } });
  }

  async hasActiveAdmin(): Promise<boolean> {
    return (await this.repo.count({ where: { role: 'admin', revokedAt: IsNull() } })) > 0;
  }

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  async insert(fields: { name: string; role: ApiKeyRole; scope: string | null; keyPrefix: string; keyHash: string }): Promise<ApiKeyEntity> {
    return this.repo.save(this.repo.create({ ...fields, revokedAt: null, lastUsedAt: null }));
  }

  /** Inserts unless the hash is already stored (bootstrap key given again on a later boot). */
  async insertIfAbsent(fields: { name: string; role: ApiKeyRole; keyPrefix: string; keyHash: string }): Promise<void> {
    await this.repo.createQueryBuilder().insert().into(ApiKeyEntity).values({ ...fields, scope: null }).orIgnore().execute();
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const result = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ lastUsedAt: at })
      .where('id = :id AND (last_used_at IS NULL OR last_used_at < :at)', { id, at })
      .execute();
  }
}
