import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../platform/tokens';


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

/** Attribution window and event retention, from config; mutable so tests can shorten them. */
@Injectable()
export class FeedbackSettings {
  attributionWindowMs: number;
  retentionDays: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.attributionWindowMs = config.attributionWindowMs;
    this.retentionDays = config.eventsRetentionDays;
  }
}
