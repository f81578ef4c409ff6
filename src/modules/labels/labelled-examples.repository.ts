import { Inject, Injectable } from '@nestjs/common';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import { msToTs, rowsOf, tsToMs } from '../../platform/database/sql';
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

@Injectable()
export class LabelledExamplesRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

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
