import { Inject, Injectable } from '@nestjs/common';
import type { FeedbackEvent } from '../../engine/feedback/events';
import { DatabaseService } from '../../platform/database/database.service';
import { rowsOf } from '../../platform/database/sql';
import { DATABASE } from '../../platform/tokens';

export interface PoisonEvent {
  id: string;
  failed_at: Date;
  error: string;
  event: FeedbackEvent | null;
}

/**
 * Table feedback_dead_letters: events the database refused as data. The feedback worker (tracking)
 * writes them; the dead-letter endpoint here reads them.
 */
@Injectable()
export class DeadLettersRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  async recordPoisonEvent(error: string, event: FeedbackEvent | null): Promise<void> {
    await this.database.dataSource.query('INSERT INTO feedback_dead_letters (error, event) VALUES ($1, $2)', [error, JSON.stringify(event)]);
  }

  /** Newest first. */
  async newestPoisonEvents(limit: number): Promise<PoisonEvent[]> {
    return rowsOf<PoisonEvent>(
      await this.database.dataSource.query('SELECT id::text AS id, failed_at, error, event FROM feedback_dead_letters ORDER BY id DESC LIMIT $1', [limit]),
    );
  }
}
