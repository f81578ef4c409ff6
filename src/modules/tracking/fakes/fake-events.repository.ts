import type { EventType, FeedbackEvent } from '../../../engine/feedback/events';
import type { Queryable } from '../../../platform/database/sql';
import type { EventsRepository, InsertedEventKey } from '../events.repository';

/** A row of the events table. */
export interface StoredEvent {
  decisionId: string;
  type: EventType;
  decisionAtMs: number;
  occurredAtMs: number;
  receivedAtMs: number;
  userId: string;
  campaignId: string;
  creativeId: string;
  slotId: string;
  branch: string;
  arm: string | null;
  platform: string;
  propensity: number;
  clickWithoutImpression: boolean;
  source: string;
}

/** A row of the pending_labels table. */
export interface StoredPendingLabel {
  decisionId: string;
  decisionAtMs: number;
  impressionAtMs: number | null;
  clickedAtMs: number | null;
  dueAtMs: number;
  exploreChecked: boolean;
}

type PendingInput = Parameters<EventsRepository['upsertPending']>[1][number];

/**
 * EventsRepository in memory, for unit tests. It keeps the tables' rules:
 * events has one row per (decision, type, decision time) and an insert skips a stored one (ON
 * CONFLICT DO NOTHING), returning the keys it stored in input order; decision ids compare as uuids
 * (any case) and come back lower-case; pending labels keep the earliest impression and click (LEAST,
 * which skips nulls) and are due at once when both are at most the window apart, else when the
 * window of the first closes; explore_checked stays true only while every write said so; and one
call may not name a pending label twice (PostgreSQL refuses the statement).
 * Not kept: the manager (no transaction, see FakeTransactions) and the events' partitions.
 * test/support/events-repository.contract.ts holds this fake and the real repository to the same behaviour.
 */
export class FakeEventsRepository implements Pick<EventsRepository, keyof EventsRepository> {
  private readonly events = new Map<string, StoredEvent>();
  private readonly pending = new Map<string, StoredPendingLabel>();

  async decisionsWithConversion(decisionIds: readonly string[]): Promise<Set<string>> {
    const wanted = new Set(decisionIds.map((d) => d.toLowerCase()));
    return new Set([...this.events.values()].filter((e) => e.type === 'conversion' && wanted.has(e.decisionId)).map((e) => e.decisionId));
  }

  async decisionsWithImpression(_manager: Queryable, decisions: readonly { id: string; atMs: number }[]): Promise<Set<string>> {
    const found = decisions.filter((d) => this.events.has(eventKey(d.id, 'impression', d.atMs))).map((d) => d.id.toLowerCase());
    return new Set(found);
  }

  async insertEvents(_manager: Queryable, events: readonly FeedbackEvent[], clickWithoutImpression: ReadonlySet<string>): Promise<InsertedEventKey[]> {
    const inserted: InsertedEventKey[] = [];
    for (const e of events) {
      const key = eventKey(e.claims.d, e.type, e.claims.i);
      if (this.events.has(key)) continue;
      const c = e.claims;
      this.events.set(key, {
        decisionId: c.d.toLowerCase(),
        type: e.type,
        decisionAtMs: c.i,
        occurredAtMs: e.occurredAtMs,
        receivedAtMs: e.receivedAtMs,
        userId: c.u,
        campaignId: c.c,
        creativeId: c.cr,
        slotId: c.s,
        branch: c.b,
        arm: c.a,
        platform: c.pf,
        propensity: c.p,
        clickWithoutImpression: e.type === 'click' && clickWithoutImpression.has(c.d),
        source: e.source,
      });
      inserted.push({ decision_id: c.d.toLowerCase(), type: e.type });
    }
    return inserted;
  }

  async upsertPending(_manager: Queryable, rows: readonly PendingInput[], windowMs: number, nowMs: number): Promise<void> {
    const due = (impressionAtMs: number | null, clickedAtMs: number | null): number => {
      if (impressionAtMs !== null && clickedAtMs !== null && Math.abs(clickedAtMs - impressionAtMs) <= windowMs) return nowMs;
      const first = impressionAtMs ?? clickedAtMs;
      // due_at is NOT NULL: a row with neither time is refused, as the database refuses it.
      if (first === null) throw new Error('null value in column "due_at" of relation "pending_labels" violates not-null constraint');
      return first + windowMs;
    };
    const seen = new Set<string>();
    for (const r of rows) {
      const key = pendingKey(r.decisionId, r.decisionAtMs);
      // One upsert statement may not touch a row twice.
      if (seen.has(key)) throw new Error('ON CONFLICT DO UPDATE command cannot affect row a second time');
      seen.add(key);
      const stored = this.pending.get(key);
      const impressionAtMs = least(stored?.impressionAtMs ?? null, r.impressionAtMs);
      const clickedAtMs = least(stored?.clickedAtMs ?? null, r.clickedAtMs);
      this.pending.set(key, {
        decisionId: r.decisionId.toLowerCase(),
        decisionAtMs: r.decisionAtMs,
        impressionAtMs,
        clickedAtMs,
        dueAtMs: due(impressionAtMs, clickedAtMs),
        exploreChecked: stored ? stored.exploreChecked && !r.exploreCheck : !r.exploreCheck,
      });
    }
  }

  asRepository(): EventsRepository {
    return this as unknown as EventsRepository;
  }

  /** Every stored event, by decision id then type. */
  storedEvents(): StoredEvent[] {
    return [...this.events.values()].sort((a, b) => compare(a.decisionId, b.decisionId) || compare(a.type, b.type));
  }

  /** Every pending label, by decision id. */
  pendingLabels(): StoredPendingLabel[] {
    return [...this.pending.values()].sort((a, b) => compare(a.decisionId, b.decisionId) || a.decisionAtMs - b.decisionAtMs);
  }
}

function eventKey(decisionId: string, type: EventType, decisionAtMs: number): string {
  return `${decisionId.toLowerCase()}|${type}|${decisionAtMs}`;
}

function pendingKey(decisionId: string, decisionAtMs: number): string {
  return `${decisionId.toLowerCase()}|${decisionAtMs}`;
}

/** SQL's LEAST: the smaller of the non-null values, null only when both are. */
function least(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
