import { APP_PARTS } from '../../../src/composition';
import { DatabaseService } from '../../../src/platform/database/database.service';
import { LeaderLease, LeaseLostError } from '../../../src/platform/database/leader-lease';
import { eventually } from '../../support/job-driver.contract';
import { terminateLeaseLockSession } from '../../support/lease-lock';
import { createProductionEnv, type ProductionTestEnv } from '../../support/test-app';

const HOUR_MS = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LeaderLease fencing (PostgreSQL)', () => {
  let prod: ProductionTestEnv;
  let database: DatabaseService;
  const leases: LeaderLease[] = [];
  const lease = (name: string, retryMs: number, prepare?: () => Promise<void>) => {
    const made = new LeaderLease(database, name, retryMs, prepare);
    leases.push(made);
    return made;
  };
  const killLockSession = async (name: string) => {
    const killed = await terminateLeaseLockSession((sql, params) => database.dataSource.query(sql, params), name);
    expect(killed.map((k) => k.ok)).toEqual([true]);
  };

  beforeAll(async () => {
    prod = await createProductionEnv();
    database = await DatabaseService.open(prod.config, { runMigrations: true, entities: APP_PARTS.entities });
    await database.dataSource.query('CREATE TABLE fence_probe (v int)');
  });

  afterAll(async () => {
    for (const l of leases) await l.stop();
    await database?.dataSource.destroy();
    await prod?.drop();
  });

  it('a holder whose lock session died, and that has not noticed yet, commits nothing fenced once another has taken over', async () => {
    const first = lease('test:window', HOUR_MS); // no beat during the test: it keeps believing it holds the lease
    await first.start();
    expect(first.isHeld).toBe(true);
    await database.dataSource.transaction((m) => first.fence(m));
    await killLockSession('test:window');
    const second = lease('test:window', 100);
    void second.start();
    await eventually(async () => (second.isHeld ? true : null), 10_000, 50);
    expect(first.isHeld).toBe(true); // the window the fence closes
    const write = database.dataSource.transaction(async (m) => {
      await first.fence(m);
      await m.query('INSERT INTO fence_probe VALUES (1)');
    });
    await expect(write).rejects.toThrow(LeaseLostError);
    expect(first.isHeld).toBe(false);
    await database.dataSource.transaction(async (m) => {
      await second.fence(m);
      await m.query('INSERT INTO fence_probe VALUES (2)');
    });
    expect(await database.dataSource.query('SELECT v FROM fence_probe ORDER BY v')).toEqual([{ v: 2 }]);
  });

  it("a takeover waits for the holder's fenced transaction in flight, and its prepare sees what that transaction wrote", async () => {
    await database.dataSource.query('DELETE FROM fence_probe');
    const first = lease('test:in-flight', HOUR_MS);
    await first.start();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let fenced = false;
    const inFlight = database.dataSource.transaction(async (m) => {
      await first.fence(m);
      fenced = true;
      await m.query('INSERT INTO fence_probe VALUES (1)');
      await gate;
    });
    await eventually(async () => (fenced ? true : null), 5000, 20);
    await killLockSession('test:in-flight');
    let seenInPrepare: number | null = null;
    const second = lease('test:in-flight', 100, async () => {
      seenInPrepare = (await database.dataSource.query('SELECT count(*)::int AS n FROM fence_probe'))[0].n;
    });
    void second.start();
    await sleep(800);
    expect([second.isHeld, seenInPrepare]).toEqual([false, null]); // its epoch bump waits on the open transaction
    release();
    await inFlight;
    await eventually(async () => (second.isHeld ? true : null), 10_000, 50);
    expect(seenInPrepare).toBe(1);
  });

  it('fence refuses a lease that was never taken, and one that was given up', async () => {
    const idle = lease('test:idle', HOUR_MS);
    await expect(database.dataSource.transaction((m) => idle.fence(m))).rejects.toThrow(LeaseLostError);
    await idle.start();
    await database.dataSource.transaction((m) => idle.fence(m));
    await idle.stop();
    await expect(database.dataSource.transaction((m) => idle.fence(m))).rejects.toThrow(LeaseLostError);
  });
});
