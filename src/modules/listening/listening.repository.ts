import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import type { ItemLine } from './listening-lines';

export type ListeningModelKind = 'cf' | 'item2vec';

export interface ListeningModelRow {
  kind: ListeningModelKind;
  version: number;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  createdAt: string;
}

export interface ItemRow {
  idx: number;
  key: string;
  name: string | null;
  genre: string | null;
  language: string | null;
}

export interface PlayArrays {
  users: Uint32Array;
  items: Uint32Array;
  plays: Float32Array;
  userCount: number;
  itemCount: number;
}

type Queryable = { query: EntityManager['query'] };

/** Raw SQL over the listening tables; bulk paths use unnest() so a batch is one statement. */
@Injectable()
export class ListeningRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  private q(manager?: Queryable): Queryable {
    return manager ?? this.database.dataSource;
  }

  /** key → dense index for every key, creating the missing ones. */
  async indexKeys(table: 'items' | 'users', keys: readonly string[], manager?: Queryable): Promise<Map<string, number>> {
    const [tableName, idx, key] = table === 'items' ? ['listening_items', 'item_idx', 'item_key'] : ['listening_users', 'user_idx', 'user_key'];
    // Sorted inserts keep concurrent imports from deadlocking on the unique index.
    const sorted = [...new Set(keys)].sort();
    // Only missing keys reach the INSERT: ON CONFLICT would still draw a sequence value per row and leave holes in the dense index.
    await this.q(manager).query(
      `INSERT INTO ${tableName} (${key}) SELECT k FROM unnest($1::text[]) AS k WHERE NOT EXISTS (SELECT 1 FROM ${tableName} t WHERE t.${key} = k) ON CONFLICT (${key}) DO NOTHING`,
      [sorted],
    );
    const rows: { idx: number; key: string }[] = await this.q(manager).query(`SELECT ${idx} AS idx, ${key} AS key FROM ${tableName} WHERE ${key} = ANY($1::text[])`, [sorted]);
    return new Map(rows.map((r) => [r.key, Number(r.idx)]));
  }

  /** 'replace' sets the play count of each (user, item); 'add' adds to it (incremental updates). Pairs must be unique. */
  async upsertPlays(users: number[], items: number[], plays: number[], mode: 'replace' | 'add', manager?: Queryable): Promise<void> {
    if (users.length === 0) return;
    await this.q(manager).query(
      `INSERT INTO listening_plays (user_idx, item_idx, plays)
       SELECT * FROM unnest($1::int[], $2::int[], $3::float8[])
       ON CONFLICT (user_idx, item_idx) DO UPDATE SET plays = ${mode === 'add' ? 'listening_plays.plays + EXCLUDED.plays' : 'EXCLUDED.plays'}, updated_at = now()`,
      [users, items, plays],
    );
  }

  async upsertItems(lines: readonly ItemLine[], manager?: Queryable): Promise<void> {
    if (lines.length === 0) return;
    const last = new Map<string, ItemLine>();
    for (const line of lines) last.set(line.itemKey, { ...last.get(line.itemKey), ...line });
    const rows = [...last.values()].sort((a, b) => (a.itemKey < b.itemKey ? -1 : 1));
    // A field absent from the line keeps its stored value; null clears it.
    await this.indexKeys('items', rows.map((r) => r.itemKey), manager);
    await this.q(manager).query(
      `UPDATE listening_items i SET
         name = CASE WHEN t.hn THEN t.n ELSE i.name END,
         genre = CASE WHEN t.hg THEN t.g ELSE i.genre END,
         language = CASE WHEN t.hl THEN t.l ELSE i.language END,
         updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::bool[], $7::bool[]) AS t(k, n, g, l, hn, hg, hl)
       WHERE i.item_key = t.k`,
      [
        rows.map((r) => r.itemKey),
        rows.map((r) => r.name ?? null),
        rows.map((r) => r.genre ?? null),
        rows.map((r) => r.language ?? null),
        rows.map((r) => r.name !== undefined),
        rows.map((r) => r.genre !== undefined),
        rows.map((r) => r.language !== undefined),
      ],
    );
  }

  async items(manager?: Queryable): Promise<ItemRow[]> {
    const rows: { item_idx: number; item_key: string; name: string | null; genre: string | null; language: string | null }[] = await this.q(manager).query(
      'SELECT item_idx, item_key, name, genre, language FROM listening_items ORDER BY item_idx',
    );
    return rows.map((r) => ({ idx: Number(r.item_idx), key: r.item_key, name: r.name, genre: r.genre, language: r.language }));
  }

  async users(manager?: Queryable): Promise<{ idx: number; key: string }[]> {
    const rows: { user_idx: number; user_key: string }[] = await this.q(manager).query('SELECT user_idx, user_key FROM listening_users ORDER BY user_idx');
    return rows.map((r) => ({ idx: Number(r.user_idx), key: r.user_key }));
  }

  /** Every positive play count as parallel arrays (dense indices), for training and the in-memory histories. */
  async plays(manager?: Queryable): Promise<PlayArrays> {
    const rows: { u: number; i: number; p: number }[] = await this.q(manager).query('SELECT user_idx AS u, item_idx AS i, plays AS p FROM listening_plays WHERE plays > 0 ORDER BY user_idx, item_idx');
    const counts: { users: string | null; items: string | null }[] = await this.q(manager).query(
      `SELECT (SELECT max(user_idx) + 1 FROM listening_users) AS users, (SELECT max(item_idx) + 1 FROM listening_items) AS items`,
    );
    const out: PlayArrays = {
      users: new Uint32Array(rows.length),
      items: new Uint32Array(rows.length),
      plays: new Float32Array(rows.length),
      userCount: Number(counts[0]?.users ?? 0),
      itemCount: Number(counts[0]?.items ?? 0),
    };
    rows.forEach((r, k) => {
      out.users[k] = Number(r.u);
      out.items[k] = Number(r.i);
      out.plays[k] = Number(r.p);
    });
    return out;
  }

  /** listening user_idx → listener profile user_idx (the index user package bitmaps are built over). */
  async profileIndexByListeningUser(manager?: Queryable): Promise<Map<number, number>> {
    const rows: { u: number; p: number }[] = await this.q(manager).query(
      'SELECT l.user_idx AS u, p.user_idx AS p FROM listening_users l JOIN listener_profiles p ON p.user_key = l.user_key',
    );
    return new Map(rows.map((r) => [Number(r.u), Number(r.p)]));
  }

  async insertModel(manager: Queryable, kind: ListeningModelKind, params: unknown, metrics: unknown, artifact: Buffer): Promise<number> {
    const rows: { version: number }[] = await manager.query(
      `INSERT INTO listening_models (kind, version, params, metrics, artifact)
       SELECT $1, COALESCE(max(version), 0) + 1, $2::jsonb, $3::jsonb, $4 FROM listening_models WHERE kind = $1
       RETURNING version`,
      [kind, JSON.stringify(params), JSON.stringify(metrics), artifact],
    );
    return Number(rows[0].version);
  }

  async models(manager?: Queryable): Promise<ListeningModelRow[]> {
    const rows: { kind: ListeningModelKind; version: number; params: Record<string, unknown>; metrics: Record<string, unknown>; created_at: Date }[] = await this.q(manager).query(
      'SELECT kind, version, params, metrics, created_at FROM listening_models ORDER BY kind, version DESC',
    );
    return rows.map((r) => ({ kind: r.kind, version: Number(r.version), params: r.params, metrics: r.metrics, createdAt: new Date(r.created_at).toISOString() }));
  }

  async latestArtifact(kind: ListeningModelKind, manager?: Queryable): Promise<{ version: number; artifact: Buffer } | null> {
    const rows: { version: number; artifact: Buffer }[] = await this.q(manager).query(
      'SELECT version, artifact FROM listening_models WHERE kind = $1 ORDER BY version DESC LIMIT 1',
      [kind],
    );
    return rows.length === 0 ? null : { version: Number(rows[0].version), artifact: rows[0].artifact };
  }

  async latestVersions(manager?: Queryable): Promise<Record<ListeningModelKind, number>> {
    const rows: { kind: ListeningModelKind; version: number }[] = await this.q(manager).query('SELECT kind, max(version) AS version FROM listening_models GROUP BY kind');
    const out: Record<ListeningModelKind, number> = { cf: 0, item2vec: 0 };
    for (const r of rows) out[r.kind] = Number(r.version);
    return out;
  }

  /**
   * What API nodes poll to know what to reload: `plays` changes with any play upsert (its
   * `playsMaxUpdatedAt` is the incremental watermark), `rest` with items, models or settings.
   */
  async dataSignature(manager?: Queryable): Promise<{ plays: string; playsMaxUpdatedAt: string | null; rest: string }> {
    const rows: { plays: string; max: string | null; rest: string }[] = await this.q(manager).query(
      `SELECT (SELECT count(*) FROM listening_plays)::text AS plays, (SELECT max(updated_at) FROM listening_plays)::text AS max,
         concat_ws('/', (SELECT count(*) FROM listening_items), (SELECT max(updated_at) FROM listening_items),
           (SELECT string_agg(kind || version, ',' ORDER BY kind) FROM (SELECT kind, max(version) AS version FROM listening_models GROUP BY kind) v),
           (SELECT cold_start::text FROM listening_settings WHERE id = 1)) AS rest`,
    );
    return { plays: `${rows[0].plays}/${rows[0].max}`, playsMaxUpdatedAt: rows[0].max, rest: rows[0].rest };
  }

  /**
   * Play counts by listener key, all of them (since = null) or those upserted at or after
   * `since` minus `overlapS` (a transaction stamps its start time, so one that commits late can
   * carry an older stamp than rows already read: the overlap re-reads them; merging is idempotent).
   */
  async playsByUserKey(since: string | null, overlapS: number, manager?: Queryable): Promise<{ userKey: string; item: number; plays: number }[]> {
    const rows: { k: string; i: number; p: number }[] = await this.q(manager).query(
      `SELECT u.user_key AS k, p.item_idx AS i, p.plays AS p FROM listening_plays p JOIN listening_users u USING (user_idx)
       ${since === null ? '' : `WHERE p.updated_at >= $1::timestamptz - make_interval(secs => $2)`}`,
      since === null ? [] : [since, overlapS],
    );
    return rows.map((r) => ({ userKey: r.k, item: Number(r.i), plays: Number(r.p) }));
  }

  async coldStartSettings(manager?: Queryable): Promise<unknown | null> {
    const rows: { cold_start: unknown }[] = await this.q(manager).query('SELECT cold_start FROM listening_settings WHERE id = 1');
    return rows[0]?.cold_start ?? null;
  }

  async saveColdStartSettings(manager: Queryable, settings: unknown): Promise<void> {
    await manager.query(
      `INSERT INTO listening_settings (id, cold_start) VALUES (1, $1::jsonb) ON CONFLICT (id) DO UPDATE SET cold_start = EXCLUDED.cold_start`,
      [JSON.stringify(settings)],
    );
  }
}
