import { eventsRepositoryContract } from '../../../../test/support/events-repository.contract';
import { FakeEventsRepository } from './fake-events.repository';

// The same contract runs against PostgreSQL in test/integration/feedback/feedback-repositories.int-spec.ts.
eventsRepositoryContract('in-memory fake', async () => {
  const repository = new FakeEventsRepository();
  return {
    repository,
    manager: { query: () => Promise.reject(new Error('the fake runs no SQL')) },
    storedEvents: async () => repository.storedEvents(),
    pendingLabels: async () => repository.pendingLabels(),
  };
});
