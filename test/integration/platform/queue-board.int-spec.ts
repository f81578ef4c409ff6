import { createKeys, checkAuthMatrix } from '../../support/auth-matrix';
import { createProductionEnv, http, startProductionApp, type ProductionTestEnv, type TestApp } from '../../support/test-app';
import { BullMqJobDriver } from '../../../src/platform/jobs/bullmq-job-driver';
import { QUEUE_NAMES } from '../../../src/platform/jobs/job-definitions';

describe('bull-board at /admin/queues (production mode)', () => {
  let prod: ProductionTestEnv;
  let api: TestApp;
  let keys: Awaited<ReturnType<typeof createKeys>>;

  beforeAll(async () => {
    prod = await createProductionEnv();
    // API only, no worker: enqueued jobs stay waiting, so the board's counts are predictable.
    api = await startProductionApp(prod, 'api');
    keys = await createKeys(api.url, api.adminKey);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await prod?.drop();
  });

  it('answers 401 without a key or with an unknown one, in the standard error shape', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/favicon-32x32.png']) {
      const anonymous = await http(api.url, 'GET', path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('missing API key') });
    }
    const unknown = await http(api.url, 'GET', '/admin/queues', { key: 'mb_thisKeyWasNeverIssuedToAnyone' });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: 'invalid or revoked API key' });
  });

  it('answers 403 to every role below admin', async () => {
    for (const role of ['operator', 'viewer', 'slot-client'] as const) {
      const result = await http(api.url, 'GET', '/admin/queues/api/queues', { key: keys[role] });
      expect(result.status).toBe(403);
      expect(result.body).toEqual({ statusCode: 403, error: 'Forbidden', message: `this route needs role admin; the key has role ${role}` });
    }
    const page = await http(api.url, 'GET', '/admin/queues', { key: keys.operator });
    expect(page.status).toBe(403);
    // The board's actions sit behind the same hook: refused, and nothing changed.
    expect((await http(api.url, 'PUT', '/admin/queues/api/queues/modeling/pause', { key: keys.operator })).status).toBe(403);
    expect((await http(api.url, 'PUT', '/admin/queues/api/queues/modeling/pause')).status).toBe(401);
    const driver = api.api.infra.jobDriver;
    expect(driver).toBeInstanceOf(BullMqJobDriver);
    expect(await (driver as BullMqJobDriver).queue('modeling').isPaused()).toBe(false);
  });

  it('serves the board page and its static assets to an admin key', async () => {
    const page = await http(api.url, 'GET', '/admin/queues', { key: api.adminKey });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('<base href="/admin/queues/"');
    const asset = page.text.match(/src="(static\/js\/[^"]+\.js)"/)?.[1];
    expect(asset).toBeDefined();
    const script = await http(api.url, 'GET', `/admin/queues/${asset}`, { key: api.adminKey });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    // The UI's own client-side routes are served the same page.
    expect((await http(api.url, 'GET', '/admin/queues/queue/modeling', { key: api.adminKey })).status).toBe(200);
  });

  it('lists every registry queue through its JSON API, and the counts follow enqueued jobs', async () => {
    const listed = await http(api.url, 'GET', '/admin/queues/api/queues', { key: api.adminKey });
    expect(listed.status).toBe(200);
    const names = (listed.body.queues as { name: string }[]).map((q) => q.name).sort();
    expect(names).toEqual([...QUEUE_NAMES].sort());
    const before = (listed.body.queues as { name: string; counts: Record<string, number> }[]).find((q) => q.name === 'modeling')!;
    expect(before.counts.waiting ?? 0).toBe(0);

    // No worker consumes here, so the job stays waiting; it is never run.
    await api.api.infra.jobDriver.enqueue([
      { name: 'modeling.stage', payload: { note: 'queue-board test' }, options: { queue: 'modeling', jobId: 'queue-board-test', attempts: 1, backoffMs: 1000 } },
    ]);
    const after = await http(api.url, 'GET', '/admin/queues/api/queues?activeQueue=modeling&status=waiting&page=1&jobsPerPage=10', { key: api.adminKey });
    expect(after.status).toBe(200);
    const modeling = (after.body.queues as { name: string; counts: Record<string, number>; jobs: { id: string; name: string }[] }[]).find((q) => q.name === 'modeling')!;
    expect(modeling.counts.waiting).toBe(1);
    expect(modeling.jobs.map((j) => [j.id, j.name])).toEqual([['queue-board-test', 'modeling.stage']]);
  });

  it('leaves the OpenAPI auth matrix intact (the board is not in OpenAPI)', async () => {
    const doc = await http(api.url, 'GET', '/docs-json');
    expect(Object.keys(doc.body.paths).some((p) => p.startsWith('/admin'))).toBe(false);
    expect(await checkAuthMatrix(api.url, keys)).toEqual([]);
  });

  it('keeps unknown paths under the prefix a plain 404', async () => {
    const missing = await http(api.url, 'GET', '/admin/queues/no-such-page/at/all', { key: api.adminKey });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});
