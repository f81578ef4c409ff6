// The public surface of the reporting module: other modules import only from here.
// Delivery reports, live stats, the live page and dead letters.
export { DeadLettersRepository } from './dead-letters.repository';
export { LiveStatsRecorder } from './live-stats.recorder';
export { ReportingModule } from './reporting.module';
export { StatsRepository } from './stats.repository';
