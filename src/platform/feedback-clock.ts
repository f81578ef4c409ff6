import { Injectable } from '@nestjs/common';

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
