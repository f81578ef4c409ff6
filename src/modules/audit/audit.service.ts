import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthenticatedKey } from '../../platform/http/roles';
import { diffValues } from './audit-diff';
import type { AuditLogEntity } from './audit-log.entity';
import { AuditRepository } from './audit.repository';

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
  constructor(private readonly repository: AuditRepository) {}

  /** Written in the caller's transaction, so an audit entry exists if and only if the change does. */
  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    const before = toJson(entry.before);
    const after = toJson(entry.after);
    await this.repository.insert(manager, {
      entityType: entry.entityType,
      entityId: entry.entityId,
      action: entry.action,
      actorKeyId: entry.actor?.id ?? null,
      actorName: entry.actor?.name ?? null,
      before,
      after,
      diff: diffValues(before, after),
    });
  }

  list(filter: { entityType?: string; entityId?: string; limit: number; beforeId?: string }): Promise<AuditLogEntity[]> {
    return this.repository.list(filter);
  }
}

function toJson(value: unknown): unknown {
  return value === undefined || value === null ? null : JSON.parse(JSON.stringify(value));
}
