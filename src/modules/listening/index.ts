// The public surface of the listening module: other modules import only from here.
// Listening data, item-CF, item2vec, cold start and lookalike packages.
export { LISTENING_JOBS } from './jobs';
export { ListeningImportService } from './listening-import.service';
export { ListeningModule } from './listening.module';
