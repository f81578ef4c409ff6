import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ListenerProfile } from '../../engine/targeting/profile-schema';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import { rowsOf } from '../../platform/database/sql';

// Same value on every node: profile import batches take it so their revisions commit in order.
const PROFILE_WRITE_LOCK_ID = 7_246_101;

export interface ProfileRow {
  userIdx: number;
  userKey: string;
  profile: ListenerProfile;
  revision: number;
}

export interface UpsertBatchResult {
  inserted: number;
  updated: number;
  revision: number;
}

@Injectable()
export class ProfileRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /**
   * Upserts one batch by user_key in one transaction. Existing users are updated first and only
   * new keys are inserted, so the user_idx sequence is consumed by new users only and stays dense.
   * `rows` must not repeat a key (the caller keeps the last occurrence).
   */
  async upsertBatch(rows: readonly { userKey: string; profile: ListenerProfile }[]): Promise<UpsertBatchResult> {
    return this.database.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [PROFILE_WRITE_LOCK_ID]);
      const [{ revision }]: { revision: string }[] = await manager.query(`SELECT nextval('listener_profiles_revision_seq') AS revision`);
      const payload = JSON.stringify(rows.map((r) => ({ k: r.userKey, a: r.profile })));
      const updatedRows = rowsOf<{ user_key: string }>(await manager.query(
        `UPDATE listener_profiles p SET attributes = x.a, revision = $2, updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS x(k text, a jsonb)
          WHERE p.user_key = x.k
         RETURNING p.user_key`,
        [payload, revision],
      ));
      const updatedKeys = new Set(updatedRows.map((r) => r.user_key));
      let inserted = 0;
      let updated = updatedKeys.size;
      const fresh = rows.filter((r) => !updatedKeys.has(r.userKey));
      if (fresh.length > 0) {
        const insertedRows: { user_key: string }[] = await manager.query(
          `INSERT INTO listener_profiles (user_key, attributes, revision)
           SELECT x.k, x.a, $2 FROM jsonb_to_recordset($1::jsonb) AS x(k text, a jsonb)
           ON CONFLICT (user_key) DO NOTHING
           RETURNING user_key`,
          [JSON.stringify(fresh.map((r) => ({ k: r.userKey, a: r.profile }))), revision],
        );
        inserted = insertedRows.length;
        if (inserted < fresh.length) {
          // Only a writer that bypassed the import lock can get here; its rows are updated like any existing user.
          const insertedKeys = new Set(insertedRows.map((r) => r.user_key));
          const late = fresh.filter((r) => !insertedKeys.has(r.userKey));
          const lateRows = rowsOf(await manager.query(
            `UPDATE listener_profiles p SET attributes = x.a, revision = $2, updated_at = now()
               FROM jsonb_to_recordset($1::jsonb) AS x(k text, a jsonb) WHERE p.user_key = x.k RETURNING p.user_key`,
            [JSON.stringify(late.map((r) => ({ k: r.userKey, a: r.profile }))), revision],
          ));
          updated += lateRows.length;
        }
      }
      return { inserted, updated, revision: Number(revision) };
    });
  }

  /** Profiles written after (revision, userIdx), in that order: the incremental feed of every node's index. */
  async pageAfter(revision: number, userIdx: number, limit: number, manager?: EntityManager): Promise<ProfileRow[]> {
    const rows: { user_idx: number; user_key: string; attributes: ListenerProfile; revision: string }[] = await (manager ?? this.database.dataSource).query(
      `SELECT user_idx, user_key, attributes, revision FROM listener_profiles
        WHERE (revision, user_idx) > ($1, $2) ORDER BY revision, user_idx LIMIT $3`,
      [revision, userIdx, limit],
    );
    return rows.map((r) => ({ userIdx: r.user_idx, userKey: r.user_key, profile: r.attributes, revision: Number(r.revision) }));
  }

  async findByKey(userKey: string): Promise<ProfileRow | null> {
    const rows: { user_idx: number; user_key: string; attributes: ListenerProfile; revision: string }[] = await this.database.dataSource.query(
      'SELECT user_idx, user_key, attributes, revision FROM listener_profiles WHERE user_key = $1',
      [userKey],
    );
    return rows.length === 0 ? null : { userIdx: rows[0].user_idx, userKey: rows[0].user_key, profile: rows[0].attributes, revision: Number(rows[0].revision) };
  }
}
