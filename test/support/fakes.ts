// In-memory stand-ins for the repositories (and the transactions) the feedback services use, for
// unit tests without a database. Each lives in its module's fakes/ folder; production code never
// imports them (npm run lint:boundaries).
export { FakeTransactions } from '../../src/platform/database/fakes/fake-transactions';
export { FakeEventsRepository, type StoredEvent, type StoredPendingLabel } from '../../src/modules/tracking/fakes/fake-events.repository';
export { FakeStatsRepository } from '../../src/modules/reporting/fakes/fake-stats.repository';
export { FakeDeadLettersRepository } from '../../src/modules/reporting/fakes/fake-dead-letters.repository';
export { FakeLabelSweepRepository, type DecisionLogRead, type EventRead, type PendingLabelRow } from '../../src/modules/labels/fakes/fake-label-sweep.repository';
export { FakeLabelledExamplesRepository, type StoredLabelledExample } from '../../src/modules/labels/fakes/fake-labelled-examples.repository';

/**
 * Hands a fake (or a stub) where the real class is expected. The argument must have every public
 * member of the real class with the same types (fakes declare `implements Pick<Real, keyof Real>`);
 * only the real class's private fields keep TypeScript from taking it as it is.
 */
export function standIn<Real>(fake: Pick<Real, keyof Real>): Real {
  return fake as Real;
}
