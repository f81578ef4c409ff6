import { labelSweepContract } from '../../../../test/support/label-sweep.contract';
import { FakeLabelSweepRepository } from './fake-label-sweep.repository';
import { FakeLabelledExamplesRepository } from './fake-labelled-examples.repository';

// The same contract runs against PostgreSQL in test/integration/feedback/feedback-repositories.int-spec.ts.
labelSweepContract('in-memory fakes', async () => {
  const pending = new FakeLabelSweepRepository();
  return {
    pending,
    labelled: new FakeLabelledExamplesRepository(),
    manager: { query: () => Promise.reject(new Error('the fakes run no SQL')) },
    addPending: async (row) => pending.addPending(row),
    addDecision: async (row) => pending.addDecision(row),
    addEvent: async (row) => pending.addEvent(row),
    pendingLabels: async () => pending.pendingLabels(),
  };
});
