import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog';
import { SnapshotController } from './snapshot.controller';
import { SnapshotService } from './snapshot.service';

/** The immutable decision snapshot each node decides from, rebuilt when the configuration changes. */
@Module({
  imports: [CatalogModule],
  controllers: [SnapshotController],
  providers: [SnapshotService],
  exports: [SnapshotService],
})
export class SnapshotModule {}
