import { chromium, type Browser } from 'playwright-core';
import type { RunningWorker } from '../../../src/bootstrap';
import { FeedbackSettings } from '../../../src/modules/labels/feedback-settings';
import { FeedbackClock } from '../../../src/platform/feedback-clock';
import { ModelingSettings } from '../../../src/modules/modeling/modeling-settings';
import { ModelingService } from '../../../src/modules/modeling/modeling.service';
import { eventually } from '../../support/job-driver.contract';
import { expectOk } from '../../support/seed-ads';
import { createProductionEnv, http, startProductionApp, startProductionWorker, type ProductionTestEnv, type TestApp } from '../../support/test-app';
import { createKeys, createNewCampaign, driveTraffic, type Keys, type NewCampaign, waitForRun } from './scenario';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('automatic modeling in production mode (API node + worker, BullMQ flow on Redis, PostgreSQL)', () => {
  let prod: ProductionTestEnv;
  let api: TestApp;
  let worker: RunningWorker;
  let keys: Keys;
  let campaign: NewCampaign;
  let browser: Browser | null = null;
  const sql = <T = any>(text: string, params: unknown[] = []): Promise<T[]> => api.api.infra.database.dataSource.query(text, params);

  beforeAll(async () => {
    prod = await createProductionEnv({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000', MUSICBOSS_MODEL_BUDGET_MS: '1000' });
    api = await startProductionApp(prod, 'api');
    worker = await startProductionWorker(prod);
    // The worker runs the sweeper, the modeling check and the stages; the check waits until all traffic is labelled.
    worker.context.get(ModelingSettings).checkIntervalMs = 3_600_000;
    worker.context.get(ModelingService).schedule();
    keys = await createKeys(api.url, prod.adminKey);
    campaign = await createNewCampaign(api.url, keys);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await worker?.close();
    await prod?.drop();
  });

  it('drives a new campaign from exploration to a registered, promoted ONNX model that serves decisions on the API node', async () => {
    const traffic = await driveTraffic(api.url, keys, campaign);
    expect(traffic).toMatchObject({ served: 300, fallbacks: 300 });
    await eventually(async () => {
      const [{ n }] = await sql(`SELECT count(*)::int AS n FROM events WHERE campaign_id = $1`, [campaign.campaignId]);
      return n === traffic.served + traffic.clicked ? true : null;
    }, 60_000);
    worker.context.get(FeedbackClock).advance(worker.context.get(FeedbackSettings).attributionWindowMs + 60_000);
    await eventually(async () => {
      const [{ n }] = await sql(`SELECT count(*)::int AS n FROM labelled_examples WHERE campaign_id = $1`, [campaign.campaignId]);
      return n === traffic.served ? true : null;
    }, 30_000);

    worker.context.get(ModelingSettings).checkIntervalMs = 200;
    worker.context.get(ModelingService).schedule();
    const run = await waitForRun(api.url, keys, campaign.campaignId, 'exploration', 90_000);
    expect(run).toMatchObject({ modelVersion: 1, promoted: true, stagesDone: ['assemble', 'transform', 'criteria', 'model', 'export', 'register', 'report'] });
    const model = await expectOk(http(api.url, 'GET', `/v1/models/${campaign.modelId}`, { key: keys.viewer }));
    expect(model).toMatchObject({ kind: 'gbdt', activeVersion: 1 });
    expect(model.versions[0].metrics.onnxMaxAbsDiff).toBeLessThanOrEqual(1e-6);

    // The API node (not the worker that trained it) loads the promoted model; the branch stops falling back.
    await eventually(async () => {
      const d = await expectOk(http(api.url, 'POST', '/v1/decisions', { key: keys.client, body: { slotId: campaign.slotKey, userId: 'listener-4', platform: 'ios' } }));
      return d.fallback === null && d.ads.length === 1 ? true : null;
    }, 30_000);
    const { queue } = await expectOk(http(api.url, 'GET', '/v1/modeling/runs', { key: keys.viewer }));
    expect(queue).toMatchObject({ completed: expect.any(Number), failed: 0 });
  }, 240_000);

  it('renders the variable exploration report in headless Chromium: every chart is drawn', async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    const page = await browser.newPage();
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${keys.viewer}` });
    const response = await page.goto(`${api.url}/v1/models/${campaign.modelId}/report`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toContain(campaign.modelId);
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg')!;
        const box = svg.getBoundingClientRect();
        return { caption: f.querySelector('figcaption')?.textContent ?? '', width: box.width, height: box.height, marks: svg.querySelectorAll('polyline, circle, rect').length };
      }),
    );
    for (const title of ['ROC curve', 'Calibration', 'Learning curve', 'Feature importance']) {
      const chart = charts.find((c) => c.caption.startsWith(title));
      expect(chart).toBeDefined();
      expect(chart!.width).toBeGreaterThan(100);
      expect(chart!.height).toBeGreaterThan(50);
      expect(chart!.marks).toBeGreaterThan(1);
    }
    // One distribution / CTR-per-bin chart per variable, plus the criteria table.
    const variables = await page.$$eval('#criteria tbody tr', (rows) => rows.length);
    expect(variables).toBeGreaterThan(3);
    expect(charts.filter((c) => c.caption.includes('examples (bars) and CTR')).length).toBe(variables);
    const rocPoints = await page.$eval('figure.chart svg polyline', (line) => line.getAttribute('points')!.split(' ').length);
    expect(rocPoints).toBeGreaterThan(2);
    expect(await page.textContent('#data-size')).toContain('300');
  }, 60_000);
});
