import type { QueueName } from '../jobs/job-definitions';
import type { QueueActivity } from '../jobs/job-driver';
import { queueReadiness, queueStates } from './queue-readiness';

const NOW = 1_000_000;
const STALL = 60_000;
const idle: QueueActivity = { waiting: 0, oldestWaitingAtMs: null, consumedAtMs: NOW - 1000 };

function activity(changes: Partial<Record<QueueName, Partial<QueueActivity>>>): Record<QueueName, QueueActivity> {
  const all = {} as Record<QueueName, QueueActivity>;
  for (const queue of ['system', 'decisions', 'feedback', 'learning', 'modeling'] as const) all[queue] = { ...idle, ...changes[queue] };
  return all;
}

describe('queue readiness', () => {
  it.each<[string, Partial<Record<QueueName, Partial<QueueActivity>>>, 'up' | 'degraded', RegExp]>([
    ['every queue consumed, nothing old waiting', { feedback: { waiting: 3, oldestWaitingAtMs: NOW - 2000 } }, 'up', /feedback 3 waiting \(oldest 2\.0 s\)/],
    ['a queue no worker ever consumed', { learning: { consumedAtMs: null } }, 'degraded', /no worker has consumed queue learning \(/],
    ['a queue last consumed past the limit', { decisions: { consumedAtMs: NOW - 61_000 } }, 'degraded', /no worker has consumed queue decisions for 61 s/],
    ['a queue consumed exactly at the limit', { decisions: { consumedAtMs: NOW - STALL } }, 'up', /decisions 0 waiting/],
    ['a job waiting past the limit, with a live worker', { feedback: { waiting: 7, oldestWaitingAtMs: NOW - 90_000 } }, 'degraded', /queue feedback: 7 waiting, the oldest for 90 s/],
  ])('%s', (_label, changes, status, detail) => {
    const result = queueReadiness(queueStates(activity(changes), NOW, STALL), STALL);
    expect(result.status).toBe(status);
    expect(result.detail).toMatch(detail);
  });

  it('gives each queue its lag, depth and time since consumed; a clock behind a worker counts as just consumed', () => {
    const states = queueStates(activity({ feedback: { waiting: 2, oldestWaitingAtMs: NOW - 500, consumedAtMs: NOW + 300 }, modeling: { consumedAtMs: null } }), NOW, STALL);
    expect(states.find((s) => s.queue === 'feedback')).toEqual({ queue: 'feedback', waiting: 2, lagMs: 500, consumedAgoMs: 0, stalled: false });
    expect(states.find((s) => s.queue === 'modeling')).toEqual({ queue: 'modeling', waiting: 0, lagMs: 0, consumedAgoMs: null, stalled: true });
  });
});
