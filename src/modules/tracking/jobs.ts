import type { FeedbackEvent } from '../../engine/feedback/events';
import type { JobDefinitionsOf } from '../../platform/jobs/job-definitions';

declare module '../../platform/jobs/job-definitions' {
  interface JobPayloads {
    /**
     * Verified tracking events (one link hit, or one POST /v1/events batch) for the feedback worker.
     * intakeId: one per accepted hit or batch, so a copy spooled after a timed-out enqueue that did
     * land is not queued twice.
     */
    'feedback.events': { events: FeedbackEvent[]; intakeId?: string };
  }
}

export const TRACKING_JOBS: JobDefinitionsOf<'feedback.events'> = {
  'feedback.events': {
    queue: 'feedback',
    // ~17 minutes of doubling retries (0.5 s … 512 s) ride out a database or Redis outage before the dead-letter list.
    attempts: 12,
    backoffMs: 500,
    dedupeKey: (payload) => payload.intakeId,
  },
};
