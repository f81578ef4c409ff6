import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences/audiences.module';
import { AuthModule } from '../auth/auth.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { ListeningModule } from '../listening/listening.module';
import { DemoSeedService } from './demo-seed.service';

/** The demo data set: loaded on a first start (MUSICBOSS_DEMO) and by `npm run seed:demo`. */
@Module({
  imports: [CampaignsModule, AudiencesModule, AuthModule, ListeningModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class DemoModule {}
