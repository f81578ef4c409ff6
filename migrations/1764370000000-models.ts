import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Models1764370000000 implements MigrationInterface {
  name = 'Models1764370000000';

  async up(q: QueryRunner): Promise<void> {
    // The model registry: every trained or imported model version, with its serving artifact.
    await q.query(`
      CREATE TABLE model_versions (
        model_id text NOT NULL,
        version int NOT NULL,
        kind text NOT NULL CHECK (kind IN ('ftrl', 'gbdt', 'gbdt-lr', 'cf', 'item2vec', 'onnx')),
        status text NOT NULL CHECK (status IN ('candidate', 'active', 'retired')),
        campaign_id uuid,
        metrics jsonb NOT NULL DEFAULT '{}',
        lineage jsonb NOT NULL DEFAULT '{}',
        artifact bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (model_id, version)
      )`);
    // At most one active version per model; API nodes poll this small index.
    await q.query(`CREATE UNIQUE INDEX model_versions_one_active ON model_versions (model_id) WHERE status = 'active'`);

    // Full learner state (e.g. FTRL z and n) next to a published version, for restart and rollback.
    await q.query(`
      CREATE TABLE model_states (
        model_id text NOT NULL,
        version int NOT NULL,
        state bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (model_id, version)
      )`);

    // Bandit evidence per branch ("<slotId>:<branch>") and arm; fractional after discounting.
    await q.query(`
      CREATE TABLE bandit_arm_stats (
        branch_key text NOT NULL,
        arm text NOT NULL,
        successes double precision NOT NULL DEFAULT 0,
        trials double precision NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (branch_key, arm)
      )`);
    // Every reweight, for the history chart and for reconstructing arm probabilities at a past time.
    await q.query(`
      CREATE TABLE bandit_allocations (
        id bigserial PRIMARY KEY,
        branch_key text NOT NULL,
        computed_at timestamptz NOT NULL,
        weights jsonb NOT NULL,
        win_probabilities jsonb NOT NULL,
        stats jsonb NOT NULL,
        warming_up boolean NOT NULL
      )`);
    await q.query(`CREATE INDEX bandit_allocations_branch_time ON bandit_allocations (branch_key, computed_at)`);
    // The current allocation per branch: what API nodes poll.
    await q.query(`
      CREATE TABLE bandit_current (
        branch_key text PRIMARY KEY,
        allocation_id bigint NOT NULL,
        computed_at timestamptz NOT NULL,
        weights jsonb NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE bandit_current');
    await q.query('DROP TABLE bandit_allocations');
    await q.query('DROP TABLE bandit_arm_stats');
    await q.query('DROP TABLE model_states');
    await q.query('DROP TABLE model_versions');
  }
}
