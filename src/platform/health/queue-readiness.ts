import type { QueueName } from '../jobs/job-definitions';
import type { QueueActivity } from '../jobs/job-driver';
import type { ComponentHealth } from './health.service';

/** One queue as readiness and /metrics show it. */
export interface QueueState {
  readonly queue: QueueName;
  readonly waiting: number;
  /** Age of the oldest waiting job, 0 when none waits. */
  readonly lagMs: number;
  /** Since a worker last reported consuming the queue; null if none ever did. */
  readonly consumedAgoMs: number | null;
  /** No worker consumed it within stallMs, or its oldest waiting job is older than that. */
  readonly stalled: boolean;
}

export function queueStates(activity: Readonly<Record<QueueName, QueueActivity>>, nowMs: number, stallMs: number): QueueState[] {
  return (Object.entries(activity) as [QueueName, QueueActivity][]).map(([queue, a]) => {
    const lagMs = a.oldestWaitingAtMs === null ? 0 : Math.max(0, nowMs - a.oldestWaitingAtMs);
    const consumedAgoMs = a.consumedAtMs === null ? null : Math.max(0, nowMs - a.consumedAtMs);
    return { queue, waiting: a.waiting, lagMs, consumedAgoMs, stalled: consumedAgoMs === null || consumedAgoMs > stallMs || lagMs > stallMs };
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/**
 * Readiness of the queues: `degraded` (never `down`: an API node without workers still decides and
 * accepts events, and pulling it from the load balancer would not bring a worker back) when a
 * queue has had no worker for stallMs, or its oldest waiting job is older than that.
 */
export function queueReadiness(states: readonly QueueState[], stallMs: number): ComponentHealth {
  const problems: string[] = [];
  for (const s of states) {
    if (s.consumedAgoMs === null) problems.push(`no worker has consumed queue ${s.queue}`);
    else if (s.consumedAgoMs > stallMs) problems.push(`no worker has consumed queue ${s.queue} for ${seconds(s.consumedAgoMs)}`);
    if (s.lagMs > stallMs) problems.push(`queue ${s.queue}: ${s.waiting} waiting, the oldest for ${seconds(s.lagMs)}`);
  }
  const summary = states.map((s) => `${s.queue} ${s.waiting} waiting${s.lagMs > 0 ? ` (oldest ${seconds(s.lagMs)})` : ''}`).join(', ');
  if (problems.length > 0) return { status: 'degraded', detail: `${problems.join('; ')} (limit ${seconds(stallMs)}); ${summary}` };
  return { status: 'up', detail: summary };
}
