// The public surface of the audit module: other modules import only from here.
// The audit log of configuration changes.
export { AUDIT_ENTITIES, AuditLogEntity } from './audit-log.entity';
export { AuditModule } from './audit.module';
export { AuditService, type Actor } from './audit.service';
