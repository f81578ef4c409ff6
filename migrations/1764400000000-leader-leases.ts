import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LeaderLeases1764400000000 implements MigrationInterface {
  name = 'LeaderLeases1764400000000';

  async up(q: QueryRunner): Promise<void> {
    // The fencing token of each named lease (src/platform/database/leader-lease.ts): bumped by every
    // new holder, checked (FOR SHARE) inside every transaction the lease protects.
    await q.query(`CREATE TABLE leader_leases (name text PRIMARY KEY, epoch bigint NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE leader_leases');
  }
}
