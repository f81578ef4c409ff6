import type { Queryable } from '../../../platform/database/sql';
import type { LabelSweepRepository, PendingKey, PendingLabel } from '../label-sweep.repository';

/** A row of pending_labels. */
export interface PendingLabelRow extends PendingKey {
  impressionAtMs: number | null;
  clickedAtMs: number | null;
  dueAtMs: number;
  exploreChecked: boolean;
}

/** What the sweep reads of a decision-log row (table decisions), keyed by decision id and time. */
export interface DecisionLogRead {
  decisionId: string;
  createdAtMs: number;
  explored: boolean;
  features: Record<string, unknown> | null;
}

/** What the sweep reads of an impression or click (table events). */
export interface EventRead {
  decisionId: string;
  decisionAtMs: number;
  type: 'impression' | 'click';
  campaignId: string;
  creativeId: string;
  slotId: string;
  branch: string;
  arm: string | null;
  platform: string;
  userId: string;
  propensity: number;
}

/**
 * LabelSweepRepository in memory, for unit tests. Tests fill its three
 * tables: pending labels (addPending), and the read model of decision-log rows and events
 * (addDecision, addEvent) that the real sweep joins in SQL. lockDue keeps the real read's filter
 * (due by nowMs, or an impression still to count against the exploration budget once its decision
 * row is there or decisionGraceMs have passed), its join (the decision row at the same decision
 * time; the impression, else the click) and its order (soonest due first; the fake breaks ties by
 * decision id, where the database gives no order). What it cannot do: lock. FOR UPDATE SKIP LOCKED
 * hides rows another sweep holds; here no row is ever held, so two sweeps at once would share rows.
 * Decision ids are compared lower-case, as uuids. The manager is ignored.
 * test/support/label-sweep.contract.ts holds this fake and the real repository to the same behaviour.
 */
export class FakeLabelSweepRepository implements Pick<LabelSweepRepository, keyof LabelSweepRepository> {
  private readonly pending = new Map<string, PendingLabelRow>();
  private readonly decisions = new Map<string, DecisionLogRead>();
  private readonly events: EventRead[] = [];

  addPending(row: PendingLabelRow): void {
    this.pending.set(key(row.decisionId, row.decisionAtMs), { ...row, decisionId: row.decisionId.toLowerCase() });
  }

  addDecision(row: DecisionLogRead): void {
    this.decisions.set(key(row.decisionId, row.createdAtMs), { ...row, decisionId: row.decisionId.toLowerCase() });
  }

  addEvent(row: EventRead): void {
    this.events.push({ ...row, decisionId: row.decisionId.toLowerCase() });
  }

  async lockDue(_manager: Queryable, nowMs: number, options: { decisionGraceMs: number; limit: number }): Promise<PendingLabel[]> {
    return [...this.pending.values()]
      .map((p) => this.joined(p))
      .filter(
        (p) =>
          p.dueAtMs <= nowMs ||
          (!p.exploreChecked && p.impressionAtMs !== null && (p.hasDecision || p.impressionAtMs <= nowMs - options.decisionGraceMs)),
      )
      .sort((a, b) => a.dueAtMs - b.dueAtMs || (a.decisionId < b.decisionId ? -1 : a.decisionId > b.decisionId ? 1 : 0))
      .slice(0, options.limit);
  }

  async markExploreChecked(_manager: Queryable, rows: readonly PendingKey[]): Promise<void> {
    for (const r of rows) {
      const row = this.pending.get(key(r.decisionId, r.decisionAtMs));
      if (row) row.exploreChecked = true;
    }
  }

  async postpone(_manager: Queryable, rows: readonly { row: PendingKey; dueAtMs: number }[]): Promise<void> {
    for (const { row: r, dueAtMs } of rows) {
      const row = this.pending.get(key(r.decisionId, r.decisionAtMs));
      if (row) row.dueAtMs = dueAtMs;
    }
  }

  async remove(_manager: Queryable, rows: readonly PendingKey[]): Promise<void> {
    for (const r of rows) this.pending.delete(key(r.decisionId, r.decisionAtMs));
  }

  asRepository(): LabelSweepRepository {
    return this as unknown as LabelSweepRepository;
  }

  /** Every pending label, by decision id. */
  pendingLabels(): PendingLabelRow[] {
    return [...this.pending.values()].map((r) => ({ ...r })).sort((a, b) => (a.decisionId < b.decisionId ? -1 : a.decisionId > b.decisionId ? 1 : 0));
  }

  private joined(p: PendingLabelRow): PendingLabel {
    const decision = this.decisions.get(key(p.decisionId, p.decisionAtMs));
    const ofDecision = this.events.filter((e) => e.decisionId === p.decisionId && e.decisionAtMs === p.decisionAtMs);
    const event = ofDecision.find((e) => e.type === 'impression') ?? ofDecision.find((e) => e.type === 'click') ?? null;
    return {
      decisionId: p.decisionId,
      decisionAtMs: p.decisionAtMs,
      impressionAtMs: p.impressionAtMs,
      clickedAtMs: p.clickedAtMs,
      dueAtMs: p.dueAtMs,
      exploreChecked: p.exploreChecked,
      hasDecision: decision !== undefined,
      explored: decision?.explored ?? null,
      features: decision?.features ?? null,
      campaignId: event?.campaignId ?? null,
      creativeId: event?.creativeId ?? null,
      slotId: event?.slotId ?? null,
      branch: event?.branch ?? null,
      arm: event?.arm ?? null,
      platform: event?.platform ?? null,
      userId: event?.userId ?? null,
      propensity: event?.propensity ?? null,
    };
  }
}

function key(decisionId: string, decisionAtMs: number): string {
  return `${decisionId.toLowerCase()}|${decisionAtMs}`;
}
