// The public surface of the tracking module: other modules import only from here.
// Tracking links and event intake, and the feedback worker that stores events once.
export { EventsRepository } from './events.repository';
export { TRACKING_JOBS } from './jobs';
export { TrackingModule } from './tracking.module';
