import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelRegistryService } from '../../src/modules/models/model-registry.service';
import { FeedbackSettings } from '../../src/modules/labels/feedback-settings';
import { FeedbackClock } from '../../src/platform/feedback-clock';
import { ModelingSettings } from '../../src/modules/modeling/modeling-settings';
import { ModelingService } from '../../src/modules/modeling/modeling.service';
import { OnnxScorer } from '../../src/platform/onnx/onnx-scorer';
import { createKeys, createNewCampaign, decide, driveTraffic, EXPLORATION_BUDGET, type Keys, type NewCampaign, waitForRun } from '../integration/modeling/scenario';
import { eventually } from '../support/job-driver.contract';
import { expectOk } from '../support/seed-ads';
import { http, startEmbeddedApp, type TestApp } from '../support/test-app';

const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'xgboost');

describe('automatic modeling (embedded mode, through HTTP)', () => {
  let app: TestApp;
  let keys: Keys;
  let campaign: NewCampaign;
  let traffic: Awaited<ReturnType<typeof driveTraffic>>;
  const sql = <T = any>(text: string, params: unknown[] = []): Promise<T[]> => app.api.infra.database.dataSource.query(text, params);

  beforeAll(async () => {
    // ONNX Runtime scores asynchronously; the default 2 ms budget is for production hardware, not a loaded test machine.
    app = await startEmbeddedApp({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000', MUSICBOSS_MODEL_BUDGET_MS: '1000' });
    keys = await createKeys(app.url, app.adminKey);
    // The modeling check is held back until all traffic is labelled, so the training set is the same on every run of this test.
    const settings = app.api.app.get(ModelingSettings);
    settings.checkIntervalMs = 3_600_000;
    app.api.app.get(ModelingService).schedule();
    campaign = await createNewCampaign(app.url, keys);
    traffic = await driveTraffic(app.url, keys, campaign);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('explores the new campaign (falling back to priority: no model yet) until its exploration budget is spent', async () => {
    expect(traffic.served).toBeGreaterThanOrEqual(300);
    expect(traffic.fallbacks).toBe(traffic.served);
    expect(traffic.explored).toBeGreaterThanOrEqual(EXPLORATION_BUDGET);
    // Every event is stored; moving feedback time past the attribution window closes every label.
    await eventually(async () => {
      const [{ n }] = await sql(`SELECT count(*)::int AS n FROM events WHERE campaign_id = $1`, [campaign.campaignId]);
      return n === traffic.served + traffic.clicked ? true : null;
    }, 60_000);
    app.api.app.get(FeedbackClock).advance(app.api.app.get(FeedbackSettings).attributionWindowMs + 60_000);
    await eventually(async () => {
      const [{ n, clicks }] = await sql(`SELECT count(*)::int AS n, sum(label)::int AS clicks FROM labelled_examples WHERE campaign_id = $1`, [campaign.campaignId]);
      return n === traffic.served && clicks === traffic.clicked ? true : null;
    }, 30_000);
    const [{ features }] = await sql(`SELECT features FROM decisions WHERE campaign_id = $1 LIMIT 1`, [campaign.campaignId]);
    expect(features.user).toMatchObject({ gender: expect.any(String) });
  }, 60_000);

  it('starts a modeling run when the budget is spent, registers and promotes an ONNX GBDT, and decisions use it', async () => {
    const settings = app.api.app.get(ModelingSettings);
    settings.checkIntervalMs = 200;
    app.api.app.get(ModelingService).schedule();
    const run = await waitForRun(app.url, keys, campaign.campaignId, 'exploration');
    expect(run).toMatchObject({ modelVersion: 1, promoted: true, stagesDone: ['assemble', 'transform', 'criteria', 'model', 'export', 'register', 'report'] });

    const model = await expectOk(http(app.url, 'GET', `/v1/models/${campaign.modelId}`, { key: keys.viewer }));
    expect(model).toMatchObject({ kind: 'gbdt', activeVersion: 1 });
    const v1 = model.versions[0];
    expect(v1.metrics.auc).toBeGreaterThan(0.6);
    expect(v1.metrics.onnxMaxAbsDiff).toBeLessThanOrEqual(1e-6);
    expect(v1.lineage).toMatchObject({ runId: run.runId, campaignIds: [campaign.campaignId], rows: { train: 240, valid: 60 } });
    expect(v1.lineage.features.filter((f: string) => f.startsWith('user.vipLevel=')).length).toBeGreaterThan(1);

    // The model branch stops falling back once this node has loaded the model; listeners with a high vipLevel score higher.
    const scored = await eventually(async () => {
      const d = await expectOk(
        http(app.url, 'POST', '/v1/decisions', { key: keys.client, body: { slotId: campaign.slotKey, userId: 'listener-5', platform: 'ios', context: { network: 'wifi' }, explain: true } }),
      );
      return d.fallback === null && d.ads.length === 1 ? d : null;
    }, 20_000);
    expect(scored.explain.fallback).toBeNull();
    expect(scored.ads[0].campaignId).toBe(campaign.campaignId);
    const [row] = await eventually(async () => {
      const rows = await sql(`SELECT model_version, score, fallback FROM decisions WHERE decision_id = $1`, [scored.ads[0].decisionId]);
      return rows.length ? rows : null;
    });
    expect(row.model_version).toBe('1');
    const low = await expectOk(http(app.url, 'POST', '/v1/decisions', { key: keys.client, body: { slotId: campaign.slotKey, userId: 'listener-8', platform: 'ios', context: { network: 'wifi' } } }));
    const [lowRow] = await eventually(async () => {
      const rows = await sql(`SELECT score FROM decisions WHERE decision_id = $1`, [low.ads[0].decisionId]);
      return rows.length ? rows : null;
    });
    expect(row.score).toBeGreaterThan(lowRow.score);
  }, 90_000);

  it('serves the variable exploration report as HTML with inline SVG charts (viewer)', async () => {
    const res = await http(app.url, 'GET', `/v1/models/${campaign.modelId}/report`, { key: keys.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    for (const part of ['ROC curve', 'Calibration', 'Learning curve', 'Feature importance', 'user.vipLevel', 'info gain', 'gain ratio', 'sym. uncertainty', 'gini', 'Sample trees', 'booster[0]', 'positive rate']) {
      expect(res.text).toContain(part);
    }
    expect((res.text.match(/<svg /g) ?? []).length).toBeGreaterThan(5);
    expect(res.text).toContain('300 (train 240, validation 60)');
    expect(res.text).not.toMatch(/<script|https?:\/\/(?!music\.example)/);
    expect((await http(app.url, 'GET', `/v1/models/${campaign.modelId}/report`, { key: keys.client })).status).toBe(403);
    expect((await http(app.url, 'GET', '/v1/models/no-such-model/report', { key: keys.viewer })).status).toBe(404);
  });

  it('re-models on demand (operator), resuming a failed run without redoing its finished stages', async () => {
    expect((await http(app.url, 'POST', `/v1/campaigns/${campaign.campaignId}/model`, { key: keys.viewer, body: {} })).status).toBe(403);
    expect((await http(app.url, 'POST', '/v1/campaigns/00000000-0000-4000-8000-000000000000/model', { key: keys.operator, body: {} })).status).toBe(404);
    const settings = app.api.app.get(ModelingSettings);
    // No automatic check while this test counts versions: only the run it starts may add one.
    settings.checkIntervalMs = 3_600_000;
    app.api.app.get(ModelingService).schedule();
    const tolerance = settings.onnxTolerance;
    settings.onnxTolerance = -1; // every export now "differs": the run fails at its export stage
    const started = await expectOk(http(app.url, 'POST', `/v1/campaigns/${campaign.campaignId}/model`, { key: keys.operator, body: { params: { maxDepth: 3 } } }), [202]);
    const failed = await eventually(async () => {
      const run = await expectOk(http(app.url, 'GET', `/v1/modeling/runs/${started.runId}`, { key: keys.viewer }));
      return run.status === 'failed' ? run : null;
    }, 60_000);
    settings.onnxTolerance = tolerance;
    expect(failed).toMatchObject({ stage: 'export', stagesDone: ['assemble', 'transform', 'criteria', 'model'] });
    const before = await sql(`SELECT stage, completed_at FROM modeling_stage_outputs WHERE run_id = $1 ORDER BY stage`, [started.runId]);

    expect((await http(app.url, 'POST', `/v1/modeling/runs/${started.runId}/resume`, { key: keys.operator })).status).toBe(202);
    const done = await eventually(async () => {
      const run = await expectOk(http(app.url, 'GET', `/v1/modeling/runs/${started.runId}`, { key: keys.viewer }));
      return run.status === 'succeeded' ? run : null;
    }, 60_000);
    expect(done.stagesDone).toEqual(['assemble', 'transform', 'criteria', 'model', 'export', 'register', 'report']);
    const after = await sql(`SELECT stage, completed_at FROM modeling_stage_outputs WHERE run_id = $1 ORDER BY stage`, [started.runId]);
    for (const b of before) expect(after.find((a) => a.stage === b.stage)!.completed_at).toEqual(b.completed_at);
    expect(done.modelVersion).toBe(2);
    // Promotion follows the AUC margin rule: version 2 is active iff the run says it was promoted.
    const v2 = (await app.api.app.get(ModelRegistryService).version(campaign.modelId, 2))!;
    expect(v2.status).toBe(done.promoted ? 'active' : 'candidate');
    expect(v2.lineage.params).toMatchObject({ maxDepth: 3 });
    const listed = await expectOk(http(app.url, 'GET', '/v1/modeling/runs', { key: keys.viewer }));
    expect(listed.queue).toMatchObject({ failed: expect.any(Number) });
    expect(listed.runs.map((r: { runId: string }) => r.runId)).toContain(started.runId);
  }, 120_000);

  it('re-models live campaigns on the scheduler cadence', async () => {
    const settings = app.api.app.get(ModelingSettings);
    settings.remodelCadenceMs = 2_000;
    settings.checkIntervalMs = 200;
    app.api.app.get(ModelingService).schedule();
    try {
      // A whole run (seven stages, GBDT training included) on a loaded machine: a generous horizon.
      const run = await waitForRun(app.url, keys, campaign.campaignId, 'schedule', 150_000);
      expect(run.modelVersion).toBeGreaterThanOrEqual(3);
    } finally {
      settings.remodelCadenceMs = 24 * 3_600_000;
      settings.checkIntervalMs = 3_600_000;
      app.api.app.get(ModelingService).schedule();
    }
  }, 180_000);

  it('imports an XGBoost JSON model (converted to ONNX, predictions equal XGBoost to 1e-6) and refuses a broken ONNX file', async () => {
    const xgboost = JSON.parse(readFileSync(join(FIXTURE_DIR, 'model.json'), 'utf8'));
    const expected = JSON.parse(readFileSync(join(FIXTURE_DIR, 'expected.json'), 'utf8')) as { rows: (number | null)[][]; probabilities: number[]; featureCount: number };
    const featureNames = ['user.monthlyMinutes', 'user.tenureDays', 'hour', 'ctx.position', 'ctx.volume'];
    expect((await http(app.url, 'POST', '/v1/models/import', { key: keys.viewer, body: { modelId: 'ds-ctr', format: 'xgboost-json', xgboost } })).status).toBe(403);
    const imported = await expectOk(http(app.url, 'POST', '/v1/models/import', { key: keys.operator, body: { modelId: 'ds-ctr', format: 'xgboost-json', xgboost, featureNames } }));
    expect(imported).toMatchObject({ modelId: 'ds-ctr', version: 1, kind: 'gbdt', status: 'active', activated: true });
    expect(imported.lineage.features).toEqual(featureNames);
    const stored = (await app.api.app.get(ModelRegistryService).version('ds-ctr', 1))!;
    const scorer = await OnnxScorer.load(stored.artifact!);
    const values = Float32Array.from(expected.rows.flat(), (v) => (v === null ? NaN : v));
    const predicted = await scorer.predict(values, expected.rows.length);
    await scorer.release();
    expected.probabilities.forEach((p, i) => expect(Math.abs(predicted[i] - p)).toBeLessThanOrEqual(1e-6));

    const bad = await http(app.url, 'POST', '/v1/models/import', { key: keys.operator, body: { modelId: 'broken', format: 'onnx', onnxBase64: Buffer.from('not an onnx model').toString('base64') } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('onnxBase64');
    const asOnnx = await expectOk(http(app.url, 'POST', '/v1/models/import', { key: keys.operator, body: { modelId: 'ds-ctr-onnx', format: 'onnx', onnxBase64: stored.artifact!.toString('base64'), featureNames } }));
    expect(asOnnx).toMatchObject({ kind: 'onnx', status: 'active' });
    // An imported model serves a model branch too (it scores every candidate).
    await expectOk(
      http(app.url, 'PUT', `/v1/slots/${campaign.slotKey}/policy`, {
        key: keys.admin,
        headers: { 'if-match': '"1"' },
        body: { branches: [{ name: 'everyone by imported model', audience: 'everyone', campaignIds: [campaign.campaignId], method: 'model', modelId: 'ds-ctr-onnx' }] },
      }),
    );
    await eventually(async () => {
      const d = await decide(app.url, keys, campaign.slotKey, 11);
      return d.fallback === null && d.ads.length === 1 ? true : null;
    }, 20_000);
  }, 60_000);

  it('trains the GBDT+LR option on demand (tree leaves as FTRL features) and serves it in a model branch', async () => {
    const started = await expectOk(http(app.url, 'POST', `/v1/campaigns/${campaign.campaignId}/model`, { key: keys.operator, body: { variant: 'gbdt-lr' } }), [202]);
    expect(started.modelId).toBe(`gbdt-lr-${campaign.campaignId}`);
    const done = await eventually(async () => {
      const run = await expectOk(http(app.url, 'GET', `/v1/modeling/runs/${started.runId}`, { key: keys.viewer }));
      if (run.status === 'failed') throw new Error(run.error);
      return run.status === 'succeeded' ? run : null;
    }, 60_000);
    expect(done).toMatchObject({ modelVersion: 1, promoted: true });
    const model = await expectOk(http(app.url, 'GET', `/v1/models/gbdt-lr-${campaign.campaignId}`, { key: keys.viewer }));
    expect(model).toMatchObject({ kind: 'gbdt-lr', activeVersion: 1 });
    expect(model.versions[0].metrics.auc).toBeGreaterThan(0.6);
    expect(model.versions[0].metrics.onnxMaxAbsDiff).toBe(0);
    await expectOk(
      http(app.url, 'PUT', `/v1/slots/${campaign.slotKey}/policy`, {
        key: keys.admin,
        headers: { 'if-match': '"2"' },
        body: { branches: [{ name: 'everyone by GBDT+LR', audience: 'everyone', campaignIds: [campaign.campaignId], method: 'model', modelId: `gbdt-lr-${campaign.campaignId}` }] },
      }),
    );
    await eventually(async () => {
      const d = await decide(app.url, keys, campaign.slotKey, 13);
      return d.fallback === null && d.ads.length === 1 ? true : null;
    }, 20_000);
    expect((await http(app.url, 'GET', `/v1/models/gbdt-lr-${campaign.campaignId}/report`, { key: keys.viewer })).status).toBe(200);
  }, 90_000);

  it('promotes by competition on request: the model joins a bandit branch listing its campaign as a new arm at the floor share', async () => {
    await expectOk(
      http(app.url, 'PUT', `/v1/slots/${campaign.slotKey}/policy`, {
        key: keys.admin,
        headers: { 'if-match': '"3"' },
        body: { branches: [{ name: 'everyone by bandit', audience: 'everyone', campaignIds: [campaign.campaignId], method: 'bandit', arms: [{ modelId: 'random', floor: 0.1 }, { modelId: `gbdt-lr-${campaign.campaignId}`, floor: 0.1 }] }] },
      }),
    );
    const started = await expectOk(http(app.url, 'POST', `/v1/campaigns/${campaign.campaignId}/model`, { key: keys.operator, body: { promotion: 'bandit-arm' } }), [202]);
    await eventually(async () => {
      const run = await expectOk(http(app.url, 'GET', `/v1/modeling/runs/${started.runId}`, { key: keys.viewer }));
      if (run.status === 'failed') throw new Error(run.error);
      return run.status === 'succeeded' ? run : null;
    }, 60_000);
    const policy = await expectOk(http(app.url, 'GET', `/v1/slots/${campaign.slotKey}/policy`, { key: keys.viewer }));
    expect(policy.version).toBe(5);
    expect(policy.branches[0].arms).toEqual([
      { modelId: 'random', floor: 0.1 },
      { modelId: `gbdt-lr-${campaign.campaignId}`, floor: 0.1 },
      { modelId: campaign.modelId, floor: 0.05 },
    ]);
  }, 90_000);
});
