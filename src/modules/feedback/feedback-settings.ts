import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../platform/tokens';

const DEFAULT_ATTRIBUTION_WINDOW_MS = 30 * 60_000;
const DEFAULT_RETENTION_DAYS = 90;

/**
 * Feedback time: wall clock plus an offset that tests move forward to close attribution windows
 * without waiting. Everything in the feedback path (link expiry, event times, label due times) reads it.
 */
@Injectable()
export class FeedbackClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Tests only: moves feedback time forward. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

type FeedbackConfig = Partial<{ attributionWindowMs: number; eventsRetentionDays: number }>;

/** Attribution window and event retention: from config when set there, else the defaults. */
@Injectable()
export class FeedbackSettings {
  attributionWindowMs: number;
  retentionDays: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const extra = config as AppConfig & FeedbackConfig;
    this.attributionWindowMs = extra.attributionWindowMs ?? DEFAULT_ATTRIBUTION_WINDOW_MS;
    this.retentionDays = extra.eventsRetentionDays ?? DEFAULT_RETENTION_DAYS;
  }
}
