import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences';
import { AuthModule } from '../auth';
import { CatalogModule } from '../catalog';
import { ListeningModule } from '../listening';
import { DemoSeedService } from './demo-seed.service';

/** The demo data set: loaded on a first start (MUSICBOSS_DEMO) and by `npm run seed:demo`. */
@Module({
  imports: [CatalogModule, AudiencesModule, AuthModule, ListeningModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class DemoModule {}
