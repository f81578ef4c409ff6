import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Listening1764390000000 implements MigrationInterface {
  name = 'Listening1764390000000';

  async up(q: QueryRunner): Promise<void> {
    // Dense indices (from 0, never reused) are what the CF and item2vec engines index arrays by.
    await q.query(`CREATE SEQUENCE listening_item_idx MINVALUE 0 START 0`);
    await q.query(`CREATE SEQUENCE listening_user_idx MINVALUE 0 START 0`);
    await q.query(`
      CREATE TABLE listening_items (
        item_idx integer PRIMARY KEY DEFAULT nextval('listening_item_idx'),
        item_key text NOT NULL UNIQUE,
        name text,
        genre text,
        language text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX listening_items_name ON listening_items (lower(name))`);
    await q.query(`
      CREATE TABLE listening_users (
        user_idx integer PRIMARY KEY DEFAULT nextval('listening_user_idx'),
        user_key text NOT NULL UNIQUE
      )`);
    await q.query(`
      CREATE TABLE listening_plays (
        user_idx integer NOT NULL,
        item_idx integer NOT NULL,
        plays double precision NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_idx, item_idx)
      )`);
    // One row per trained version of the CF neighbours ('cf') or the item2vec vectors ('item2vec');
    // the artifact is the packed typed arrays (see artifact-codec.ts). The newest version serves.
    await q.query(`
      CREATE TABLE listening_models (
        kind text NOT NULL,
        version integer NOT NULL,
        params jsonb NOT NULL,
        metrics jsonb NOT NULL,
        artifact bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, version)
      )`);
    await q.query(`CREATE TABLE listening_settings (id integer PRIMARY KEY CHECK (id = 1), cold_start jsonb NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS listening_settings');
    await q.query('DROP TABLE IF EXISTS listening_models');
    await q.query('DROP TABLE IF EXISTS listening_plays');
    await q.query('DROP TABLE IF EXISTS listening_users');
    await q.query('DROP TABLE IF EXISTS listening_items');
    await q.query('DROP SEQUENCE IF EXISTS listening_user_idx');
    await q.query('DROP SEQUENCE IF EXISTS listening_item_idx');
  }
}
