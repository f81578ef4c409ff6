import type { EntityManager } from 'typeorm';
import type { AuditEntry, AuditService } from '../audit.service';

/** AuditService for other modules' unit tests: keeps the entries in order instead of writing them. */
export class FakeAuditLog implements Pick<AuditService, 'record'> {
  readonly entries: AuditEntry[] = [];

  async record(_manager: EntityManager, entry: AuditEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
  }

  asService(): AuditService {
    return this as unknown as AuditService;
  }
}
