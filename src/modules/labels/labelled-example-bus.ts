import { Injectable, Logger } from '@nestjs/common';

/** One served ad with its outcome: what a CTR model learns from. */
export interface LabelledExample {
  readonly decisionId: string;
  /** When the decision was made (epoch ms). */
  readonly decisionAtMs: number;
  /** 1 = clicked within the attribution window after the impression; 0 = impression without such a click. */
  readonly label: 0 | 1;
  readonly labelledAtMs: number;
  readonly impressionAtMs: number;
  readonly clickedAtMs: number | null;
  readonly campaignId: string;
  readonly creativeId: string;
  readonly slotId: string;
  readonly branch: string;
  readonly arm: string | null;
  readonly platform: string;
  readonly userId: string;
  /** Probability with which this ad was chosen (for off-policy learning and evaluation). */
  readonly propensity: number;
  /** The feature input the decision saw ({user, context}, from the decision log); null if the log row never arrived. */
  readonly features: Record<string, unknown> | null;
}

export type LabelledExampleConsumer = (examples: readonly LabelledExample[]) => void | Promise<void>;

/**
 * Where labelled examples go once they are stored (table labelled_examples, one row per decision).
 * Consumers run in the worker process, after the label is committed, in registration order; one that
 * throws is logged and does not stop the others. Delivery is at most once per process: a consumer
 * that must not miss any can backfill from labelled_examples (labelled_at is indexed).
 */
@Injectable()
export class LabelledExampleBus {
  private readonly logger = new Logger('LabelledExamples');
  private readonly consumers = new Map<string, LabelledExampleConsumer>();

  /** Registers (or replaces) a named consumer; returns an unregister function. */
  register(name: string, consumer: LabelledExampleConsumer): () => void {
    this.consumers.set(name, consumer);
    return () => {
      if (this.consumers.get(name) === consumer) this.consumers.delete(name);
    };
  }

  async publish(examples: readonly LabelledExample[]): Promise<void> {
    if (examples.length === 0) return;
    for (const [name, consumer] of this.consumers) {
      try {
        await consumer(examples);
      } catch (error) {
        this.logger.error(`consumer ${name} failed on ${examples.length} examples: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
