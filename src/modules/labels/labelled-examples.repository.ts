import { Inject, Injectable } from '@nestjs/common';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import { msToTs, type Queryable, rowsOf, tsToMs } from '../../platform/database/sql';
import type { LabelledExample } from './labelled-example-bus';

/** A position in labelled_examples: the order (labelled_at, decision_id). */
export interface LabelledCursor {
  readonly labelledAtMs: number;
  readonly decisionId: string;
}

interface Row {
  decision_id: string;
  decision_at_ms: number;
  label: number;
  labelled_at_ms: number;
  campaign_id: string;
  creative_id: string;
  slot_id: string;
  branch: string;
  arm: string | null;
  platform: string;
  user_id: string;
  propensity: number;
  features: Record<string, unknown> | null;
}

/** Table labelled_examples: one row per labelled decision (the primary key makes a label once). */
@Injectable()
export class LabelledExamplesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /**
   * Stores the examples, all labelled at `labelledAtMs`, in the caller's transaction; a decision
   * already labelled is skipped. Returns the decision ids actually stored (lower-case uuids).
   */
  async insertNew(manager: Queryable, examples: readonly LabelledExample[], labelledAtMs: number): Promise<Set<string>> {
    if (examples.length === 0) return new Set();
    const inserted = rowsOf<{ decision_id: string }>(
      await manager.query(
        `INSERT INTO labelled_examples (decision_id, decision_at, label, labelled_at, campaign_id, creative_id, slot_id, branch, arm, platform, user_id, propensity, features)
         SELECT d, ${msToTs('i')}, l, ${msToTs('$3::float8')}, c, cr, s, b, a, pf, u, p, f
         FROM unnest($1::uuid[], $2::float8[], $4::smallint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::float8[], $13::jsonb[])
              AS k(d, i, l, c, cr, s, b, a, pf, u, p, f)
         ON CONFLICT DO NOTHING
         RETURNING decision_id::text AS decision_id`,
        [
          examples.map((e) => e.decisionId),
          examples.map((e) => e.decisionAtMs),
          labelledAtMs,
          examples.map((e) => e.label),
          examples.map((e) => e.campaignId),
          examples.map((e) => e.creativeId),
          examples.map((e) => e.slotId),
          examples.map((e) => e.branch),
          examples.map((e) => e.arm),
          examples.map((e) => e.platform),
          examples.map((e) => e.userId),
          examples.map((e) => e.propensity),
          examples.map((e) => (e.features === null ? null : JSON.stringify(e.features))),
        ],
      ),
    );
    return new Set(inserted.map((r) => r.decision_id));
  }

  async countForCampaign(campaignId: string): Promise<number> {
    const [{ n }] = await this.database.dataSource.query(`SELECT count(*)::int AS n FROM labelled_examples WHERE campaign_id = $1`, [campaignId]);
    return Number(n);
  }

  /** Retention: drops the examples of decisions made before the cutoff. */
  async deleteDecidedBefore(cutoffMs: number): Promise<void> {
    await this.database.dataSource.query(`DELETE FROM labelled_examples WHERE decision_at < ${msToTs('$1::float8')}`, [cutoffMs]);
  }

  /**
   * Up to `limit` stored examples after `cursor`, in cursor order. The table keeps no impression or
   * click times: impressionAtMs is the decision time and clickedAtMs null.
   */
  async after(cursor: LabelledCursor, limit: number): Promise<LabelledExample[]> {
    const rows = rowsOf<Row>(
      await this.database.dataSource.query(
        `SELECT decision_id::text AS decision_id, ${tsToMs('decision_at')} AS decision_at_ms, label, ${tsToMs('labelled_at')} AS labelled_at_ms,
                campaign_id, creative_id, slot_id, branch, arm, platform, user_id, propensity, features
           FROM labelled_examples
          WHERE (labelled_at, decision_id) > (${msToTs('$1::float8')}, $2::uuid)
          ORDER BY labelled_at, decision_id
          LIMIT $3`,
        [cursor.labelledAtMs, cursor.decisionId, limit],
      ),
    );
    return rows.map((r) => ({
      decisionId: r.decision_id,
      decisionAtMs: Number(r.decision_at_ms),
      label: Number(r.label) === 1 ? 1 : 0,
      labelledAtMs: Number(r.labelled_at_ms),
      impressionAtMs: Number(r.decision_at_ms),
      clickedAtMs: null,
      campaignId: r.campaign_id,
      creativeId: r.creative_id,
      slotId: r.slot_id,
      branch: r.branch,
      arm: r.arm,
      platform: r.platform,
      userId: r.user_id,
      propensity: Number(r.propensity),
      features: r.features,
    }));
  }
}
