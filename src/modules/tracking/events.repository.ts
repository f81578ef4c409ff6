import { Inject, Injectable } from '@nestjs/common';
import { DatabaseService } from '../../platform/database/database.service';
import { msToTs, type Queryable, rowsOf } from '../../platform/database/sql';
import { DATABASE } from '../../platform/tokens';
import type { EventType, FeedbackEvent } from '../../engine/feedback/events';


export interface InsertedEventKey {
  decision_id: string;
  type: EventType;
}

/** SQL of the feedback tables (events, pending_labels); the worker's writes take its transaction's manager. */
@Injectable()
export class EventsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /** Decisions among `decisionIds` that have a stored conversion (any decision time). */
  async decisionsWithConversion(decisionIds: readonly string[]): Promise<Set<string>> {
    const rows: { decision_id: string }[] = await this.database.dataSource.query(`SELECT decision_id FROM events WHERE type = 'conversion' AND decision_id = ANY($1::uuid[])`, [
      decisionIds,
    ]);
    return new Set(rows.map((r) => r.decision_id));
  }
  /** Decisions among `decisionIds` that already have a stored impression. */
  async decisionsWithImpression(manager: Queryable, decisions: readonly { id: string; atMs: number }[]): Promise<Set<string>> {
    if (decisions.length === 0) return new Set();
    const rows = rowsOf<{ decision_id: string }>(
      await manager.query(
        `SELECT e.decision_id::text AS decision_id FROM events e
         JOIN unnest($1::uuid[], $2::float8[]) AS k(d, at) ON e.decision_id = k.d AND e.decision_at = ${msToTs('k.at')}
         WHERE e.type = 'impression'`,
        [decisions.map((d) => d.id), decisions.map((d) => d.atMs)],
      ),
    );
    return new Set(rows.map((r) => r.decision_id));
  }

  /**
   * Inserts the events; a (decision, type) already stored is skipped. Returns the keys actually
   * inserted, which are the only ones the caller may count.
   */
  async insertEvents(manager: Queryable, events: readonly FeedbackEvent[], clickWithoutImpression: ReadonlySet<string>): Promise<InsertedEventKey[]> {
    if (events.length === 0) return [];
    const col = <T>(f: (e: FeedbackEvent) => T) => events.map(f);
    return rowsOf<InsertedEventKey>(
      await manager.query(
        `INSERT INTO events (decision_id, type, decision_at, occurred_at, received_at, user_id, campaign_id, creative_id, slot_id, branch, arm, platform,
                             propensity, click_without_impression, source)
         SELECT d, t, ${msToTs('i')}, ${msToTs('o')}, ${msToTs('r')}, u, c, cr, s, b, a, pf, p, f, src
         FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                     $11::text[], $12::text[], $13::float8[], $14::boolean[], $15::text[])
              AS k(d, t, i, o, r, u, c, cr, s, b, a, pf, p, f, src)
         ON CONFLICT DO NOTHING
         RETURNING decision_id::text AS decision_id, type`,
        [
          col((e) => e.claims.d),
          col((e) => e.type),
          col((e) => e.claims.i),
          col((e) => e.occurredAtMs),
          col((e) => e.receivedAtMs),
          col((e) => e.claims.u),
          col((e) => e.claims.c),
          col((e) => e.claims.cr),
          col((e) => e.claims.s),
          col((e) => e.claims.b),
          col((e) => e.claims.a),
          col((e) => e.claims.pf),
          col((e) => e.claims.p),
          col((e) => e.type === 'click' && clickWithoutImpression.has(e.claims.d)),
          col((e) => e.source),
        ],
      ),
    );
  }

  /**
   * Records impression and click times on the decisions' pending-label rows (keeping the earliest of
   * each) and sets when the sweeper should look at the row: at once when both are there at most the
   * window apart (a positive), else when the window of the first one closes. The sweeper decides the
   * label with attributeLabel; this only schedules it. exploreCheck marks impressions of campaigns
   * with an exploration budget, whose decision row the sweeper must read to count explored ones.
   */
  async upsertPending(
    manager: Queryable,
    rows: readonly { decisionId: string; decisionAtMs: number; impressionAtMs: number | null; clickedAtMs: number | null; exploreCheck: boolean }[],
    windowMs: number,
    nowMs: number,
  ): Promise<void> {
    if (rows.length === 0) return;
    const imp = 'LEAST(p.impression_at, excluded.impression_at)';
    const clk = 'LEAST(p.clicked_at, excluded.clicked_at)';
    const due = (i: string, c: string) =>
      `CASE WHEN ${i} IS NOT NULL AND ${c} IS NOT NULL AND abs(extract(epoch from ${c} - ${i}) * 1000) <= $5 THEN ${msToTs('$6::float8')}
            ELSE COALESCE(${i}, ${c}) + $5 * interval '1 millisecond' END`;
    await manager.query(
      `INSERT INTO pending_labels AS p (decision_id, decision_at, impression_at, clicked_at, due_at, explore_checked)
       SELECT d, ${msToTs('i')}, ${msToTs('im')}, ${msToTs('cl')}, ${due(msToTs('im'), msToTs('cl'))}, NOT x
       FROM unnest($1::uuid[], $2::float8[], $3::float8[], $4::float8[], $7::boolean[]) AS k(d, i, im, cl, x)
       ON CONFLICT (decision_id, decision_at) DO UPDATE SET
         impression_at = ${imp},
         clicked_at = ${clk},
         due_at = ${due(imp, clk)},
         explore_checked = p.explore_checked AND excluded.explore_checked`,
      [rows.map((r) => r.decisionId), rows.map((r) => r.decisionAtMs), rows.map((r) => r.impressionAtMs), rows.map((r) => r.clickedAtMs), windowMs, nowMs, rows.map((r) => r.exploreCheck)],
    );
  }
}
