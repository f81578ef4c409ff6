import { runSimulation, summaryLine, type SimResult } from '../../bench/sim/runner';
import { SIM_ENV } from '../../bench/sim/strategies';
import { eventually } from '../support/job-driver.contract';
import { startEmbeddedApp, type TestApp } from '../support/test-app';

describe('closed-loop simulation (embedded, through HTTP)', () => {
  let app: TestApp;
  let result: SimResult;
  const sql = <T = any>(text: string, params: unknown[] = []): Promise<T[]> => app.api.infra.database.dataSource.query(text, params);

  beforeAll(async () => {
    app = await startEmbeddedApp({ ...SIM_ENV, MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    result = await runSimulation({
      url: app.url,
      adminKey: app.adminKey,
      maxRequests: 400,
      durationMs: 150_000,
      ratePerS: 0,
      listeners: 400,
      seed: 7,
      strategies: ['random', 'priority', 'model', 'bandit'],
      driftAt: 0.5,
      bucketMs: 5_000,
      concurrency: 8,
      log: () => undefined,
    });
  }, 240_000);
  afterAll(async () => {
    await app?.close();
  });

  it('stores one impression event per impression it generated, and every click', async () => {
    const clicks = Object.values(result.totals).reduce((s, t) => s + t.clicks, 0);
    expect(result.impressions).toBeGreaterThanOrEqual(1_500);
    expect(result.eventsRejected).toBe(0);
    expect(result.eventsAccepted).toBe(result.impressions + clicks);
    const counted = await eventually(async () => {
      const [row] = await sql<{ impressions: number; clicks: number }>(
        `SELECT count(*) FILTER (WHERE type = 'impression')::int AS impressions, count(*) FILTER (WHERE type = 'click')::int AS clicks FROM events`,
      );
      return row.impressions === result.impressions ? row : null;
    }, 60_000, 250);
    expect(counted).toEqual({ impressions: result.impressions, clicks });
    expect(summaryLine(result)).toMatch(/^simulate: impressions=\d+ ctr_random=[\d.]+ ctr_priority=[\d.]+ ctr_model=[\d.]+ ctr_bandit=[\d.]+ ctr_oracle=[\d.]+ best_vs_priority=\S+ best_vs_oracle=\S+$/);
  });

  it('closes the loop: labelled examples reach the FTRL learner and its model version advances', async () => {
    const version = await eventually(async () => {
      const rows = await sql<{ version: number }>(`SELECT max(version)::int AS version FROM model_versions WHERE model_id = 'ftrl-main'`);
      return rows[0]?.version && rows[0].version > (result.modelVersions.before['ftrl-main'] ?? 0) ? rows[0].version : null;
    }, 60_000, 500);
    expect(version).toBeGreaterThan(result.modelVersions.before['ftrl-main'] ?? 0);
  }, 90_000);
});
