import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Decisions1764350000000 implements MigrationInterface {
  name = 'Decisions1764350000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per served ad. Partitioned by day (partitions are created ahead and dropped after the
    // retention by the partition maintenance job); the default partition catches anything outside them.
    await q.query(`
      CREATE TABLE decisions (
        decision_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        user_id text NOT NULL,
        slot_id uuid NOT NULL,
        platform text NOT NULL,
        campaign_id uuid NOT NULL,
        creative_id uuid NOT NULL,
        branch text NOT NULL,
        method text NOT NULL,
        arm text,
        fallback text,
        propensity double precision NOT NULL,
        score double precision,
        position int NOT NULL,
        explored boolean NOT NULL,
        config_version bigint NOT NULL,
        model_version text,
        context jsonb NOT NULL,
        features jsonb,
        PRIMARY KEY (decision_id, created_at)
      ) PARTITION BY RANGE (created_at)`);
    await q.query(`CREATE TABLE decisions_default PARTITION OF decisions DEFAULT`);
    await q.query(`CREATE INDEX decisions_campaign_time ON decisions (campaign_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE decisions');
  }
}
