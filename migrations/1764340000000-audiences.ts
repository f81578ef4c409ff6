import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Audiences1764340000000 implements MigrationInterface {
  name = 'Audiences1764340000000';

  async up(q: QueryRunner): Promise<void> {
    // user_idx is the dense uint32 index bitmaps are built over: it starts at 0 and is never reused.
    await q.query(`CREATE SEQUENCE listener_profiles_user_idx_seq AS integer MINVALUE 0 START WITH 0`);
    // One revision per import batch; batches are serialised by an advisory lock, so revisions commit in order
    // and a node can load "everything after revision R" without missing a batch.
    await q.query(`CREATE SEQUENCE listener_profiles_revision_seq AS bigint MINVALUE 1 START WITH 1`);
    await q.query(`
      CREATE TABLE listener_profiles (
        user_idx integer PRIMARY KEY DEFAULT nextval('listener_profiles_user_idx_seq'),
        user_key text NOT NULL UNIQUE,
        attributes jsonb NOT NULL,
        revision bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER SEQUENCE listener_profiles_user_idx_seq OWNED BY listener_profiles.user_idx`);
    await q.query(`CREATE INDEX listener_profiles_revision ON listener_profiles (revision, user_idx)`);
    await q.query(`
      CREATE TABLE user_packages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL UNIQUE,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('upload', 'rule', 'combination', 'lookalike')),
        definition jsonb,
        version int NOT NULL DEFAULT 0,
        size int NOT NULL DEFAULT 0,
        bitmap bytea,
        status text NOT NULL CHECK (status IN ('pending', 'ready')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Combination packages name their inputs in definition.packages; the GIN index serves "who uses package K".
    await q.query(`CREATE INDEX user_packages_definition ON user_packages USING gin (definition jsonb_path_ops)`);
    await q.query(`
      CREATE TABLE user_package_versions (
        package_id uuid NOT NULL REFERENCES user_packages(id) ON DELETE CASCADE,
        version int NOT NULL,
        bitmap bytea NOT NULL,
        size int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (package_id, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['user_package_versions', 'user_packages', 'listener_profiles']) await q.query(`DROP TABLE ${table}`);
    await q.query('DROP SEQUENCE listener_profiles_revision_seq');
  }
}
