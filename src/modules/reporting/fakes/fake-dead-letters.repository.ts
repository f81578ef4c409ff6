import type { FeedbackEvent } from '../../../engine/feedback/events';
import type { DeadLettersRepository, PoisonEvent } from '../dead-letters.repository';

/** DeadLettersRepository in memory, for unit tests: ids count up from 1, newest first. */
export class FakeDeadLettersRepository implements Pick<DeadLettersRepository, keyof DeadLettersRepository> {
  private readonly letters: PoisonEvent[] = [];

  async recordPoisonEvent(error: string, event: FeedbackEvent | null): Promise<void> {
    // Stored as JSON, as the jsonb column keeps it.
    this.letters.push({ id: String(this.letters.length + 1), failed_at: new Date(), error, event: JSON.parse(JSON.stringify(event)) });
  }

  async newestPoisonEvents(limit: number): Promise<PoisonEvent[]> {
    return [...this.letters].reverse().slice(0, limit);
  }

  asRepository(): DeadLettersRepository {
    return this as unknown as DeadLettersRepository;
  }
}
