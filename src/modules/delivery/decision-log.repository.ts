import { Inject, Injectable } from '@nestjs/common';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import { DECISION_LOG_COLUMN_TYPES, DECISION_LOG_COLUMNS } from './decision-log-copy';

const COPY_SQL = `COPY decisions (${DECISION_LOG_COLUMNS.join(', ')}) FROM STDIN`;
// Every column travels as text and PostgreSQL casts it, as COPY would.
const INSERT_SQL = `INSERT INTO decisions (${DECISION_LOG_COLUMNS.join(', ')})
  SELECT * FROM unnest(${DECISION_LOG_COLUMNS.map((c, i) => `$${i + 1}::text[]::${DECISION_LOG_COLUMN_TYPES[c]}[]`).join(', ')})
  ON CONFLICT DO NOTHING`;

/** Table decisions (the decision log), written in batches of COPY text lines or their decoded fields. */
@Injectable()
export class DecisionLogRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /** False in embedded mode, whose database cannot COPY. */
  get supportsCopy(): boolean {
    return this.database.supportsCopyFrom;
  }

  /** COPYs the lines in one statement: all of them are stored or, on any error, none. */
  async copy(text: string): Promise<void> {
    await this.database.copyFrom(COPY_SQL, text);
  }

  /** Inserts the rows (fields as COPY text, in DECISION_LOG_COLUMNS order); a decision already stored is skipped. */
  async insert(lines: readonly (readonly (string | null)[])[]): Promise<void> {
    // One text array per column and one unnest: PostgreSQL parses and plans 20 parameters instead of
    // 20 per row.
    const columns: (string | null)[][] = DECISION_LOG_COLUMNS.map((_, j) => lines.map((fields) => fields[j]));
    await this.database.dataSource.query(INSERT_SQL, columns);
  }
}
