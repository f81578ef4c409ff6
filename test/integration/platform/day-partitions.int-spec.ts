import { Client } from 'pg';
import type { RunningWorker } from '../../../src/bootstrap';
import { DecisionPartitions } from '../../../src/modules/delivery/decision-partitions.service';
import { EventPartitions } from '../../../src/modules/tracking/event-partitions.service';
import { createProductionEnv, startProductionWorker, type ProductionTestEnv } from '../../support/test-app';

const DAY_MS = 86_400_000;
const suffix = (tMs: number) => new Date(Math.floor(tMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '');

/** The decision log and the events are day-partitioned: partitions ahead of need, and none kept past the retention. */
describe('day partitions of decisions and events (production mode, a worker)', () => {
  let prod: ProductionTestEnv;
  let worker: RunningWorker;
  let db: Client;
  const partitionsOf = async (table: string): Promise<string[]> =>
    (
      await db.query(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1 ORDER BY 1`,
        [table],
      )
    ).rows.map((r: { name: string }) => r.name);

  beforeAll(async () => {
    prod = await createProductionEnv({ MUSICBOSS_EVENTS_RETENTION_DAYS: '30' });
    worker = await startProductionWorker(prod);
    db = new Client({ connectionString: prod.env.DATABASE_URL });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await worker?.close();
    await prod?.drop();
  });

  it.each([
    ['decisions', DecisionPartitions],
    ['events', EventPartitions],
  ] as const)('%s: today and the next two days exist at boot; a partition and default rows past the retention go', async (table, Service) => {
    const now = Date.now();
    const expected = [0, 1, 2].map((d) => `${table}_p${suffix(now + d * DAY_MS)}`);
    expect(await partitionsOf(table)).toEqual(expect.arrayContaining([...expected, `${table}_default`]));

    const old = now - 40 * DAY_MS;
    const oldDay = new Date(Math.floor(old / DAY_MS) * DAY_MS);
    await db.query(`CREATE TABLE ${table}_p${suffix(old)} PARTITION OF ${table} FOR VALUES FROM ('${oldDay.toISOString()}') TO ('${new Date(oldDay.getTime() + DAY_MS).toISOString()}')`);
    // A row outside every day partition lands in the default partition; past the retention it is deleted by date.
    const keyColumn = table === 'decisions' ? 'created_at' : 'decision_at';
    const veryOld = new Date(now - 400 * DAY_MS).toISOString();
    const inserted =
      table === 'decisions'
        ? await db.query(
            `INSERT INTO decisions (decision_id, created_at, user_id, slot_id, platform, campaign_id, creative_id, branch, method, propensity, position, explored, config_version, context)
             VALUES (gen_random_uuid(), $1, 'u', gen_random_uuid(), 'ios', gen_random_uuid(), gen_random_uuid(), 'b', 'priority', 1, 0, false, 1, '{}') RETURNING 1`,
            [veryOld],
          )
        : await db.query(
            `INSERT INTO events (decision_id, type, decision_at, occurred_at, received_at, campaign_id, creative_id, slot_id, user_id, platform, branch, propensity, source)
             VALUES (gen_random_uuid(), 'impression', $1, $1, $1, 'c', 'cr', 's', 'u', 'ios', 'b', 1, 'link') RETURNING 1`,
            [veryOld],
          );
    expect(inserted.rowCount).toBe(1);
    expect((await db.query(`SELECT count(*)::int AS n FROM ${table}_default WHERE ${keyColumn} < now() - interval '300 days'`)).rows[0].n).toBe(1);

    const result = await worker.context.get(Service as typeof DecisionPartitions).maintain();
    expect(result.dropped).toEqual([`${table}_p${suffix(old)}`]);
    expect(await partitionsOf(table)).not.toContain(`${table}_p${suffix(old)}`);
    expect((await db.query(`SELECT count(*)::int AS n FROM ${table}_default`)).rows[0].n).toBe(0);
  });
});
