import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DecisionArmProbability1764410000000 implements MigrationInterface {
  name = 'DecisionArmProbability1764410000000';

  async up(q: QueryRunner): Promise<void> {
    // The bandit arm's probability as the deciding node drew it: off-policy evaluation divides by
    // it, and the allocation history only says when an allocation was computed, not when each node
    // started drawing with it. Null for rows logged before this column and for non-bandit branches.
    await q.query(`ALTER TABLE decisions ADD COLUMN arm_probability double precision`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE decisions DROP COLUMN arm_probability');
  }
}
