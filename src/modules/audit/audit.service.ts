import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import type { AuthenticatedKey } from '../../platform/http/roles';
import { diffValues } from './audit-diff';
import { AuditLogEntity } from './audit-log.entity';

export type Actor = Pick<AuthenticatedKey, 'id' | 'name'> | null;

export interface AuditEntry {
  entityType: 'slot' | 'campaign' | 'creative' | 'policy' | 'package' | 'model' | 'api-key';
  entityId: string;
  action: string;
  actor: Actor;
  before: unknown;
  after: unknown;
}

@Injectable()
export class AuditService {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /** Written in the caller's transaction, so an audit entry exists if and only if the change does. */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    const before = toJson(entry.before);
    const after = toJson(entry.after);
    await manager.query(
      'INSERT INTO audit_log (entity_type, entity_id, action, actor_key_id, actor_name, before, after, diff) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [entry.entityType, entry.entityId, entry.action, entry.actor?.id ?? null, entry.actor?.name ?? null, JSON.stringify(before), JSON.stringify(after), JSON.stringify(diffValues(before, after))],
    );
  }

  async list(filter: { entityType?: string; entityId?: string; limit: number; beforeId?: string }): Promise<AuditLogEntity[]> {
    const query = this.database.repository(AuditLogEntity).createQueryBuilder('a').orderBy('a.id', 'DESC').limit(filter.limit);
    if (filter.entityType) query.andWhere('a.entity_type = :type', { type: filter.entityType });
    if (filter.entityId) query.andWhere('a.entity_id = :id', { id: filter.entityId });
    if (filter.beforeId) query.andWhere('a.id < :before', { before: filter.beforeId });
    return query.getMany();
  }
}

function toJson(value: unknown): unknown {
  return value === undefined || value === null ? null : JSON.parse(JSON.stringify(value));
}
