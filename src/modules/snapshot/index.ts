// The public surface of the snapshot module: other modules import only from here.
// The decision snapshot every API node decides from.
export { SnapshotModule } from './snapshot.module';
export { SnapshotService } from './snapshot.service';
