import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Events1764360000000 implements MigrationInterface {
  name = 'Events1764360000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per (decision, event type). Partitioned by the decision's issue time, not the event's:
    // every replay of an event then lands in the same partition, so the primary key alone makes it
    // count once. Day partitions are created ahead and dropped after the retention by the
    // feedback maintenance; the default partition catches anything outside them.
    await q.query(`
      CREATE TABLE events (
        decision_id uuid NOT NULL,
        type text NOT NULL,
        decision_at timestamptz NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        user_id text NOT NULL,
        campaign_id text NOT NULL,
        creative_id text NOT NULL,
        slot_id text NOT NULL,
        branch text NOT NULL,
        arm text,
        platform text NOT NULL,
        propensity double precision NOT NULL,
        click_without_impression boolean NOT NULL DEFAULT false,
        source text NOT NULL,
        -- when the worker's transaction stored it: stored_at - received_at is the queue lag
        stored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (decision_id, type, decision_at)
      ) PARTITION BY RANGE (decision_at)`);
    await q.query(`CREATE TABLE events_default PARTITION OF events DEFAULT`);
    // No secondary indexes: reports read stats_minute, labels read by primary key; every index would slow the insert path.

    // Live counters per minute and dimension tuple. Event counts are added in the same transaction
    // that inserts the events (only rows actually inserted count), so they agree with the table.
    // Empty string = "not applicable" (a request without a served campaign, a branch without an arm).
    await q.query(`
      CREATE TABLE stats_minute (
        minute timestamptz NOT NULL,
        campaign_id text NOT NULL,
        creative_id text NOT NULL,
        slot_id text NOT NULL,
        branch text NOT NULL,
        arm text NOT NULL,
        platform text NOT NULL,
        requests bigint NOT NULL DEFAULT 0,
        eligible bigint NOT NULL DEFAULT 0,
        served bigint NOT NULL DEFAULT 0,
        impressions bigint NOT NULL DEFAULT 0,
        clicks bigint NOT NULL DEFAULT 0,
        conversions bigint NOT NULL DEFAULT 0,
        skips bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (minute, campaign_id, creative_id, slot_id, branch, arm, platform)
      )`);

    // Impressions waiting for their label: due when the attribution window closes, or at once when
    // a click in the window arrives. The sweeper labels due rows and deletes them.
    await q.query(`
      CREATE TABLE pending_labels (
        decision_id uuid NOT NULL,
        decision_at timestamptz NOT NULL,
        impression_at timestamptz,
        clicked_at timestamptz,
        due_at timestamptz NOT NULL,
        explore_checked boolean NOT NULL DEFAULT false,
        PRIMARY KEY (decision_id, decision_at)
      )`);
    await q.query(`CREATE INDEX pending_labels_due ON pending_labels (due_at)`);
    await q.query(`CREATE INDEX pending_labels_explore ON pending_labels (decision_id) WHERE NOT explore_checked`);

    // Every label emitted, once per decision (the primary key makes emission exactly once).
    await q.query(`
      CREATE TABLE labelled_examples (
        decision_id uuid NOT NULL,
        decision_at timestamptz NOT NULL,
        label smallint NOT NULL,
        labelled_at timestamptz NOT NULL,
        campaign_id text NOT NULL,
        creative_id text NOT NULL,
        slot_id text NOT NULL,
        branch text NOT NULL,
        arm text,
        platform text NOT NULL,
        user_id text NOT NULL,
        propensity double precision NOT NULL,
        features jsonb,
        PRIMARY KEY (decision_id, decision_at)
      )`);
    await q.query(`CREATE INDEX labelled_examples_time ON labelled_examples (labelled_at)`);

    // Poison events: ones the database refuses as data (not an outage), kept with the error instead of
    // being retried for nothing. Jobs that exhaust their retries stay in the queue's own failed list.
    await q.query(`
      CREATE TABLE feedback_dead_letters (
        id bigserial PRIMARY KEY,
        failed_at timestamptz NOT NULL DEFAULT now(),
        error text NOT NULL,
        event jsonb NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE feedback_dead_letters');
    await q.query('DROP TABLE labelled_examples');
    await q.query('DROP TABLE pending_labels');
    await q.query('DROP TABLE stats_minute');
    await q.query('DROP TABLE events');
  }
}
