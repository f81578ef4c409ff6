import { Injectable } from '@nestjs/common';
import { msToTs, type Queryable, rowsOf, tsToMs } from '../../platform/database/sql';

/** A pending label's key. */
export interface PendingKey {
  readonly decisionId: string;
  readonly decisionAtMs: number;
}

/** A pending label with what the sweep needs to close it: its decision-log row (if any) and its first impression or click. */
export interface PendingLabel extends PendingKey {
  readonly impressionAtMs: number | null;
  readonly clickedAtMs: number | null;
  readonly dueAtMs: number;
  /** Whether the impression was already counted against the exploration budget (or needs no counting). */
  readonly exploreChecked: boolean;
  readonly hasDecision: boolean;
  readonly explored: boolean | null;
  readonly features: Record<string, unknown> | null;
  /** From the impression (else the click): null when the events table has neither. */
  readonly campaignId: string | null;
  readonly creativeId: string | null;
  readonly slotId: string | null;
  readonly branch: string | null;
  readonly arm: string | null;
  readonly platform: string | null;
  readonly userId: string | null;
  readonly propensity: number | null;
}

interface PendingRow {
  decision_id: string;
  decision_at_ms: number;
  impression_at_ms: number | null;
  clicked_at_ms: number | null;
  due_at_ms: number;
  explore_checked: boolean;
  has_decision: boolean;
  explored: boolean | null;
  features: Record<string, unknown> | null;
  campaign_id: string | null;
  creative_id: string | null;
  slot_id: string | null;
  branch: string | null;
  arm: string | null;
  platform: string | null;
  user_id: string | null;
  propensity: number | null;
}

function toPendingLabel(r: PendingRow): PendingLabel {
  return {
    decisionId: r.decision_id,
    decisionAtMs: r.decision_at_ms,
    impressionAtMs: r.impression_at_ms,
    clickedAtMs: r.clicked_at_ms,
    dueAtMs: r.due_at_ms,
    exploreChecked: r.explore_checked,
    hasDecision: r.has_decision,
    explored: r.explored,
    features: r.features,
    campaignId: r.campaign_id,
    creativeId: r.creative_id,
    slotId: r.slot_id,
    branch: r.branch,
    arm: r.arm,
    platform: r.platform,
    userId: r.user_id,
    propensity: r.propensity,
  };
}

/**
 * Table pending_labels as the label sweep works it (the feedback worker fills it), and the sweep's
 * one set-based read. That read joins each due row to its decision-log row (table decisions, owned
 * by delivery) and its impression or click (table events, owned by tracking) in one statement, for
 * speed; it reads those two tables as a read model and never writes them.
 */
@Injectable()
export class LabelSweepRepository {
  /**
   * Up to `limit` pending labels to handle at nowMs, soonest due first, locked FOR UPDATE SKIP
   * LOCKED in the caller's transaction: the due ones, and those whose impression is still to be
   * counted against the exploration budget once their decision row is there (or `decisionGraceMs`
   * after the impression without it).
   */
  async lockDue(manager: Queryable, nowMs: number, options: { decisionGraceMs: number; limit: number }): Promise<PendingLabel[]> {
    const rows = rowsOf<PendingRow>(
      await manager.query(
        `SELECT p.decision_id::text AS decision_id, ${tsToMs('p.decision_at')} AS decision_at_ms, ${tsToMs('p.impression_at')} AS impression_at_ms,
                ${tsToMs('p.clicked_at')} AS clicked_at_ms, ${tsToMs('p.due_at')} AS due_at_ms, p.explore_checked,
                d.decision_id IS NOT NULL AS has_decision, d.explored, d.features,
                e.campaign_id, e.creative_id, e.slot_id, e.branch, e.arm, e.platform, e.user_id, e.propensity
         FROM pending_labels p
         LEFT JOIN decisions d ON d.decision_id = p.decision_id AND d.created_at = p.decision_at
         LEFT JOIN LATERAL (
           SELECT campaign_id, creative_id, slot_id, branch, arm, platform, user_id, propensity FROM events e
           WHERE e.decision_id = p.decision_id AND e.decision_at = p.decision_at AND e.type IN ('impression', 'click')
           ORDER BY e.type = 'impression' DESC LIMIT 1
         ) e ON true
         WHERE p.due_at <= ${msToTs('$1::float8')}
            OR (NOT p.explore_checked AND p.impression_at IS NOT NULL
                AND (d.decision_id IS NOT NULL OR p.impression_at <= ${msToTs('$1::float8')} - interval '${options.decisionGraceMs} milliseconds'))
         ORDER BY p.due_at
         LIMIT ${options.limit}
         FOR UPDATE OF p SKIP LOCKED`,
        [nowMs],
      ),
    );
    return rows.map(toPendingLabel);
  }

  /** Marks the rows' impressions as counted against the exploration budget. */
  async markExploreChecked(manager: Queryable, rows: readonly PendingKey[]): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `UPDATE pending_labels p SET explore_checked = true FROM unnest($1::uuid[], $2::float8[]) AS k(d, i)
       WHERE p.decision_id = k.d AND p.decision_at = ${msToTs('k.i')}`,
      keyColumns(rows),
    );
  }

  /** Sets when the sweep looks at each row again. */
  async postpone(manager: Queryable, rows: readonly { row: PendingKey; dueAtMs: number }[]): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `UPDATE pending_labels p SET due_at = ${msToTs('k.due')} FROM unnest($1::uuid[], $2::float8[], $3::float8[]) AS k(d, i, due)
       WHERE p.decision_id = k.d AND p.decision_at = ${msToTs('k.i')}`,
      [...keyColumns(rows.map((p) => p.row)), rows.map((p) => p.dueAtMs)],
    );
  }

  /** Removes the rows (labelled, or discarded). */
  async remove(manager: Queryable, rows: readonly PendingKey[]): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `DELETE FROM pending_labels p USING unnest($1::uuid[], $2::float8[]) AS k(d, i) WHERE p.decision_id = k.d AND p.decision_at = ${msToTs('k.i')}`,
      keyColumns(rows),
    );
  }
}

function keyColumns(rows: readonly PendingKey[]): [string[], number[]] {
  return [rows.map((r) => r.decisionId), rows.map((r) => r.decisionAtMs)];
}
