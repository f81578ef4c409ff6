import { Inject, Injectable } from '@nestjs/common';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';

/** A logged bandit decision with its click label. */
export interface LabelledBanditDecision {
  created_at: Date;
  slot_id: string;
  branch: string;
  arm: string;
  arm_probability: number | null;
  propensity: number;
  label: number;
}

/**
 * What off-policy evaluation reads: labelled bandit decisions, joining the decision log (table
 * decisions, owned by delivery) to the click labels (table labelled_examples, owned by labels) in
 * one statement. It reads those tables as a read model and never writes them.
 */
@Injectable()
export class IpsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /** Bandit decisions made in [fromMs, toMs) that have a label, newest first, optionally of one slot, at most `limit`. */
  async labelledBanditDecisions(fromMs: number, toMs: number, slotId: string | null, limit: number): Promise<LabelledBanditDecision[]> {
    return this.database.dataSource.query(
      `SELECT d.created_at, d.slot_id::text AS slot_id, d.branch, d.arm, d.arm_probability, d.propensity, l.label
         FROM decisions d JOIN labelled_examples l ON l.decision_id = d.decision_id AND l.decision_at = d.created_at
        WHERE d.arm IS NOT NULL AND d.created_at >= $1 AND d.created_at < $2 AND ($3::uuid IS NULL OR d.slot_id = $3::uuid)
        ORDER BY d.created_at DESC LIMIT $4`,
      [new Date(fromMs), new Date(toMs), slotId, limit],
    );
  }
}
