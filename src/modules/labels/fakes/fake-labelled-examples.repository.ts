import type { Queryable } from '../../../platform/database/sql';
import type { LabelledExample } from '../labelled-example-bus';
import type { LabelledCursor, LabelledExamplesRepository } from '../labelled-examples.repository';

/** A row of labelled_examples: the example without the impression and click times, which the table does not keep. */
export type StoredLabelledExample = Omit<LabelledExample, 'impressionAtMs' | 'clickedAtMs'>;

/**
 * LabelledExamplesRepository in memory, for unit tests. It keeps the
 * table's rules: one row per (decision, decision time), an insert skips a stored one (ON CONFLICT DO
 * NOTHING) and returns the ids it stored, lower-case; `after` reads in (labelled_at, decision_id)
 * order strictly after the cursor and, as the table keeps no impression or click times, gives the
 * decision time as impressionAtMs and null as clickedAtMs; features come back as JSON copies.
 * Decision ids order as strings, which is uuid order for lower-case uuids. The manager is ignored.
 * test/support/label-sweep.contract.ts holds this fake and the real repository to the same behaviour.
 */
export class FakeLabelledExamplesRepository implements Pick<LabelledExamplesRepository, keyof LabelledExamplesRepository> {
  private readonly rows = new Map<string, StoredLabelledExample>();

  async insertNew(_manager: Queryable, examples: readonly LabelledExample[], labelledAtMs: number): Promise<Set<string>> {
    const stored = new Set<string>();
    for (const e of examples) {
      const key = `${e.decisionId.toLowerCase()}|${e.decisionAtMs}`;
      if (this.rows.has(key)) continue;
      const { impressionAtMs: _impression, clickedAtMs: _click, ...row } = e;
      this.rows.set(key, { ...row, decisionId: e.decisionId.toLowerCase(), labelledAtMs, features: jsonCopy(e.features) });
      stored.add(e.decisionId.toLowerCase());
    }
    return stored;
  }

  async countForCampaign(campaignId: string): Promise<number> {
    return [...this.rows.values()].filter((r) => r.campaignId === campaignId).length;
  }

  async deleteDecidedBefore(cutoffMs: number): Promise<void> {
    for (const [key, r] of this.rows) if (r.decisionAtMs < cutoffMs) this.rows.delete(key);
  }

  async after(cursor: LabelledCursor, limit: number): Promise<LabelledExample[]> {
    return this.storedExamples()
      .filter((r) => r.labelledAtMs > cursor.labelledAtMs || (r.labelledAtMs === cursor.labelledAtMs && r.decisionId > cursor.decisionId.toLowerCase()))
      .slice(0, limit)
      .map((r) => ({ ...r, impressionAtMs: r.decisionAtMs, clickedAtMs: null, features: jsonCopy(r.features) }));
  }

  asRepository(): LabelledExamplesRepository {
    return this as unknown as LabelledExamplesRepository;
  }

  /** Every stored row in (labelled_at, decision_id) order. */
  storedExamples(): StoredLabelledExample[] {
    return [...this.rows.values()].sort((a, b) => a.labelledAtMs - b.labelledAtMs || (a.decisionId < b.decisionId ? -1 : a.decisionId > b.decisionId ? 1 : 0));
  }
}

function jsonCopy<T>(value: T): T {
  return value === null ? value : JSON.parse(JSON.stringify(value));
}
