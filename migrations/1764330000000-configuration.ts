import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Configuration1764330000000 implements MigrationInterface {
  name = 'Configuration1764330000000';

  async up(q: QueryRunner): Promise<void> {
    // One row: the configuration version every node's decision snapshot is built from.
    await q.query(`CREATE TABLE config_state (id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL, changed_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`INSERT INTO config_state (id, version) VALUES (1, 1)`);
    await q.query(`
      CREATE TABLE slots (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key text NOT NULL UNIQUE,
        name text NOT NULL,
        format text NOT NULL,
        platforms text[] NOT NULL,
        max_ads_per_response int NOT NULL,
        ad_load_cap jsonb,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        category text NOT NULL,
        status text NOT NULL,
        priority int NOT NULL,
        platforms text[] NOT NULL,
        slot_ids uuid[] NOT NULL,
        schedule jsonb NOT NULL,
        frequency_caps jsonb NOT NULL,
        goal jsonb,
        exploration_budget int NOT NULL DEFAULT 0,
        tags jsonb NOT NULL,
        suppress_on_conversion boolean NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX campaigns_status ON campaigns (status)`);
    await q.query(`CREATE INDEX campaigns_slot_ids ON campaigns USING gin (slot_ids)`);
    await q.query(`
      CREATE TABLE creatives (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        type text NOT NULL,
        formats text[] NOT NULL,
        title text NOT NULL,
        asset_url text,
        landing_url text NOT NULL,
        weight double precision NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX creatives_campaign ON creatives (campaign_id)`);
    await q.query(`
      CREATE TABLE delivery_policies (
        slot_id uuid PRIMARY KEY REFERENCES slots(id),
        branches jsonb NOT NULL,
        version int NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        action text NOT NULL,
        actor_key_id uuid,
        actor_name text,
        at timestamptz NOT NULL DEFAULT now(),
        before jsonb,
        after jsonb,
        diff jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_log', 'delivery_policies', 'creatives', 'campaigns', 'slots', 'config_state']) await q.query(`DROP TABLE ${table}`);
  }
}
