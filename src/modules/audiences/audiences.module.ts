import { Module } from '@nestjs/common';
import { AudienceAnalysisService } from './audience-analysis.service';
import { AudienceMembershipService } from './audience-membership.service';
import { AudiencesController } from './audiences.controller';
import { ListenerIndexService } from './listener-index.service';
import { PackagePolicyUses } from './package-policy-uses';
import { PackageRepository } from './package.repository';
import { PackageService } from './package.service';
import { PackagesController } from './packages.controller';
import { ProfileImportService } from './profile-import.service';
import { ProfileRepository } from './profile.repository';
import { ProfilesController } from './profiles.controller';
import { StreamedBodyParsers } from '../../platform/http/raw-upload';

/** Listener profiles, user packages (versioned bitmaps), membership for the decision path, and audience analysis. */
@Module({
  controllers: [ProfilesController, PackagesController, AudiencesController],
  providers: [
    ProfileRepository,
    PackageRepository,
    PackagePolicyUses,
    ListenerIndexService,
    AudienceMembershipService,
    PackageService,
    ProfileImportService,
    AudienceAnalysisService,
    StreamedBodyParsers,
  ],
  exports: [AudienceMembershipService, ListenerIndexService, ProfileImportService, PackageService, PackageRepository, PackagePolicyUses],
})
export class AudiencesModule {}
