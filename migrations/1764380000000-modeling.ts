import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Modeling1764380000000 implements MigrationInterface {
  name = 'Modeling1764380000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per modeling run (assemble → … → report). dedupe_key makes triggers idempotent across
    // workers: an exploration run once per campaign, a scheduled run once per cadence window.
    await q.query(`
      CREATE TABLE modeling_runs (
        run_id uuid PRIMARY KEY,
        campaign_id text NOT NULL,
        model_id text NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('exploration', 'manual', 'schedule')),
        dedupe_key text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        stage text,
        error text,
        options jsonb NOT NULL DEFAULT '{}'::jsonb,
        model_version int,
        promoted boolean,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX modeling_runs_model ON modeling_runs (model_id, created_at DESC)`);
    await q.query(`CREATE INDEX modeling_runs_campaign ON modeling_runs (campaign_id, created_at DESC)`);
    // A stage's output, written once when the stage finishes: a retried or resumed run skips stages found here.
    await q.query(`
      CREATE TABLE modeling_stage_outputs (
        run_id uuid NOT NULL REFERENCES modeling_runs (run_id) ON DELETE CASCADE,
        stage text NOT NULL,
        output jsonb NOT NULL,
        artifact bytea,
        attempts int NOT NULL,
        completed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, stage)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE modeling_stage_outputs');
    await q.query('DROP TABLE modeling_runs');
  }
}
