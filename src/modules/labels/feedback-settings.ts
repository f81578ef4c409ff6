import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../platform/tokens';

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
