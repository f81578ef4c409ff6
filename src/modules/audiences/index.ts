// The public surface of the audiences module: other modules import only from here.
// Listener profiles, user packages, membership and audience analysis.
export { AudienceMembershipService } from './audience-membership.service';
export { AUDIENCE_ENTITIES } from './audience.entities';
export { AudiencesModule } from './audiences.module';
export { AUDIENCE_JOBS } from './jobs';
export { ListenerIndexService } from './listener-index.service';
export { PackageRepository, type PackageRecord } from './package.repository';
export { PackageService } from './package.service';
export { ProfileImportService } from './profile-import.service';
export { PackagePolicyUses } from './package-policy-uses';
