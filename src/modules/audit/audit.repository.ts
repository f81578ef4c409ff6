import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import { AuditLogEntity } from './audit-log.entity';

/** One audit_log row as written: before, after and diff are JSON values. */
export interface AuditRow {
  entityType: string;
  entityId: string;
  action: string;
  actorKeyId: string | null;
  actorName: string | null;
  before: unknown;
  after: unknown;
  diff: unknown;
}

/** Table audit_log. */
@Injectable()
export class AuditRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /** Inserts through the caller's manager, so the entry commits or rolls back with the change it records. */
  async insert(manager: EntityManager, row: AuditRow): Promise<void> {
    await manager.query(
      'INSERT INTO audit_log (entity_type, entity_id, action, actor_key_id, actor_name, before, after, diff) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [row.entityType, row.entityId, row.action, row.actorKeyId, row.actorName, JSON.stringify(row.before), JSON.stringify(row.after), JSON.stringify(row.diff)],
    );
  }

  /** Newest first, optionally of one entity type or entity, older than a cursor id. */
  list(filter: { entityType?: string; entityId?: string; limit: number; beforeId?: string }): Promise<AuditLogEntity[]> {
    const query = this.database.dataSource.getRepository(AuditLogEntity).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(filter.limit);
    if (filter.entityType) query.andWhere('a.entity_type = :type', { type: filter.entityType });
    if (filter.entityId) query.andWhere('a.entity_id = :id', { id: filter.entityId });
    if (filter.beforeId) query.andWhere('a.id < :before', { before: filter.beforeId });
    return query.getMany();
  }
}
