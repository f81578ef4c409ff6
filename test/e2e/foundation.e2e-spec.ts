import { checkAuthMatrix, createKeys, listRoutes, type Role } from '../support/auth-matrix';
import { Logger } from 'nestjs-pino';
import { http, LogCapture, startEmbeddedApp, type TestApp } from '../support/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('foundation (embedded mode, through HTTP)', () => {
  let app: TestApp;
  let keys: Record<Role, string>;
  // The first app of this file: its logger (level debug, into this capture) serves the whole file.
  const logs = new LogCapture();
  /** The request log lines of one request id, once its response has been logged. */
  const requestLog = async (id: string) => {
    const deadline = Date.now() + 2000;
    let lines = logs.lines().filter((line) => line.req?.id === id);
    while (lines.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      lines = logs.lines().filter((line) => line.req?.id === id);
    }
    return lines;
  };

  beforeAll(async () => {
    app = await startEmbeddedApp({ MUSICBOSS_BODY_LIMIT_BYTES: '2048', MUSICBOSS_RATE_LIMIT_PER_MINUTE: '1000', LOG_LEVEL: 'debug' }, { logDestination: logs });
    keys = await createKeys(app.url, app.adminKey);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('is live and ready, with database and queue components', async () => {
    expect((await http(app.url, 'GET', '/health/live')).body).toEqual({ status: 'ok' });
    const ready = await http(app.url, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.components.database).toEqual({ status: 'up' });
    expect(ready.body.components.queues.status).toBe('up');
  });

  it('ran the migrations on PGlite', async () => {
    const rows = await app.api.infra.database.dataSource.query('SELECT name FROM migrations ORDER BY id');
    expect(rows.map((r: { name: string }) => r.name)).toContain('Foundation1764320000000');
  });

  it('enforces the auth matrix on every route in the OpenAPI document', async () => {
    const routes = await listRoutes(app.url);
    expect(routes.filter((r) => !r.isPublic).length).toBeGreaterThanOrEqual(3);
    expect(await checkAuthMatrix(app.url, keys)).toEqual([]);
  });

  it('shows a new key once, stores only its hash, and stops accepting it when revoked', async () => {
    const created = await http(app.url, 'POST', '/v1/api-keys', { key: keys.admin, body: { name: 'temp', role: 'viewer' } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^mb_/);
    const list = await http(app.url, 'GET', '/v1/api-keys', { key: keys.admin });
    expect(list.text).not.toContain(created.body.key);
    expect(list.body.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({ role: 'viewer', keyPrefix: created.body.key.slice(0, 10) });
    const stored = await app.api.infra.database.dataSource.query('SELECT key_hash FROM api_keys WHERE id = $1', [created.body.id]);
    expect(stored[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0].key_hash).not.toContain(created.body.key);
    expect((await http(app.url, 'GET', '/v1/api-keys', { key: created.body.key })).status).toBe(403);
    expect((await http(app.url, 'DELETE', `/v1/api-keys/${created.body.id}`, { key: keys.admin })).status).toBe(204);
    expect((await http(app.url, 'GET', '/v1/api-keys', { key: created.body.key })).status).toBe(401);
    expect((await http(app.url, 'DELETE', `/v1/api-keys/${created.body.id}`, { key: keys.admin })).status).toBe(204);
  });

  it.each([
    ['a malformed bearer', { authorization: 'Bearer' }],
    ['a wrong scheme', { authorization: 'Basic abc' }],
    ['an unknown key', { authorization: 'Bearer mb_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }],
  ])('answers 401 for %s', async (_label, headers) => {
    expect((await http(app.url, 'GET', '/v1/api-keys', { headers })).status).toBe(401);
  });

  it.each([
    [{ role: 'viewer' }, [{ field: 'name', problems: ['name must be longer than or equal to 1 characters', 'name must be a string'] }]],
    [{ name: 'x', role: 'king' }, [{ field: 'role', problems: ['role must be one of admin, operator, viewer, slot-client'] }]],
    [{ name: 'x', role: 'viewer', extra: 1 }, [{ field: 'extra', problems: ['is not an allowed field'] }]],
    [{ name: 'x', role: 'slot-client', scope: 'Bad Scope!' }, [{ field: 'scope', problems: ['scope must be 1-50 characters of a-z, 0-9, . _ -'] }]],
  ])('rejects %j with a 400 naming each field', async (body, errors) => {
    const result = await http(app.url, 'POST', '/v1/api-keys', { key: keys.admin, body });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ statusCode: 400, message: 'Validation failed', errors });
  });

  it('answers 400 for malformed JSON, 404 for a bad id or unknown route, 413 for a large body', async () => {
    const badJson = await http(app.url, 'POST', '/v1/api-keys', { key: keys.admin, rawBody: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect((await http(app.url, 'DELETE', '/v1/api-keys/not-a-uuid', { key: keys.admin })).status).toBe(400);
    expect((await http(app.url, 'DELETE', '/v1/api-keys/00000000-0000-4000-8000-000000000000', { key: keys.admin })).status).toBe(404);
    expect((await http(app.url, 'GET', '/v1/nothing-here', { key: keys.admin })).status).toBe(404);
    const big = await http(app.url, 'POST', '/v1/api-keys', { key: keys.admin, body: { name: 'x'.repeat(5000), role: 'viewer' } });
    expect(big.status).toBe(413);
  });

  it('answers 400 naming the field for text PostgreSQL cannot store (NUL, unpaired surrogates), in any JSON body and in line imports, instead of a 500', async () => {
    const slot = await http(app.url, 'POST', '/v1/slots', { key: keys.admin, body: { key: 'nul-slot', name: 'a\u0000b', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 1 } });
    expect(slot.status).toBe(400);
    expect(slot.body.errors).toEqual([{ field: 'name', problems: ['must not contain NUL characters or unpaired UTF-16 surrogates'] }]);
    const nested = await http(app.url, 'POST', '/v1/api-keys', { key: keys.admin, body: { name: 'k', role: 'viewer', extra: [{ ok: 'x' }, { ['bad\uDC00']: 1 }] } });
    expect(nested.status).toBe(400);
    expect(nested.body.errors.map((e: { field: string }) => e.field)).toEqual(['extra[1].bad\uDC00']);
    // Nothing was stored, and a well-formed emoji is fine.
    expect((await http(app.url, 'GET', '/v1/slots/nul-slot', { key: keys.admin })).status).toBe(404);
    expect((await http(app.url, 'POST', '/v1/slots', { key: keys.admin, body: { key: 'emoji-slot', name: 'a 🎵 b', format: 'feed', platforms: ['ios'], maxAdsPerResponse: 1 } })).status).toBe(201);
    const ndjson = `${JSON.stringify({ userId: 'nul\u0000user', region: 'east' })}\n${JSON.stringify({ userId: 'fine-user', region: 'east' })}\n`;
    const imported = await http(app.url, 'POST', '/v1/profiles/import', { key: keys.admin, rawBody: ndjson, headers: { 'content-type': 'application/x-ndjson' } });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ inserted: 1, rejected: 1, problems: [{ line: 1, message: 'userId must not contain NUL characters or unpaired UTF-16 surrogates' }] });
    const plays = await http(app.url, 'POST', '/v1/listening/import', { key: keys.admin, rawBody: 'u1\tit\u0000em\t3\nu1\titem\t2\n', headers: { 'content-type': 'text/plain' } });
    expect(plays.status).toBe(200);
    expect(plays.body).toMatchObject({ accepted: 1, rejected: 1, problems: [{ line: 1, message: 'itemId must not contain NUL characters or unpaired UTF-16 surrogates' }] });
  });

  it('has no queue board in embedded mode: /admin/queues is a plain 404, even for an admin', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const result = await http(app.url, 'GET', path, { key: keys.admin });
      expect(result.status).toBe(404);
      expect(result.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
  });

  it('serves OpenAPI with every operation described and Prometheus metrics', async () => {
    const doc = await http(app.url, 'GET', '/docs-json');
    expect(doc.status).toBe(200);
    for (const ops of Object.values(doc.body.paths as Record<string, Record<string, any>>)) {
      for (const op of Object.values(ops)) expect(op.summary).toEqual(expect.any(String));
    }
    expect((await http(app.url, 'GET', '/docs')).status).toBe(200);
    const metrics = await http(app.url, 'GET', '/metrics');
    expect(metrics.text).toContain('musicboss_http_request_duration_seconds_bucket');
    expect(metrics.text).toMatch(/musicboss_queue_jobs\{queue="system",state="waiting"\}/);
  });

  it('records when a key was last used, through the job queue', async () => {
    const created = await http(app.url, 'POST', '/v1/api-keys', { key: keys.admin, body: { name: 'touch', role: 'viewer' } });
    await http(app.url, 'GET', '/health/ready', { key: created.body.key });
    await http(app.url, 'POST', '/v1/api-keys', { key: created.body.key, body: {} });
    const deadline = Date.now() + 5000;
    let lastUsed: string | null = null;
    while (!lastUsed && Date.now() < deadline) {
      const rows = await app.api.infra.database.dataSource.query('SELECT last_used_at FROM api_keys WHERE id = $1', [created.body.id]);
      lastUsed = rows[0].last_used_at;
      if (!lastUsed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(lastUsed).not.toBeNull();
  });

  it('answers every response with an x-request-id: the caller\'s when acceptable, else a new UUID', async () => {
    const normal = await http(app.url, 'GET', '/v1/api-keys', { key: keys.admin });
    expect(normal.status).toBe(200);
    expect(normal.headers.get('x-request-id')).toMatch(UUID);
    const missing = await http(app.url, 'GET', '/v1/nothing-here', { key: keys.admin });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toMatch(UUID);
    expect(missing.headers.get('x-request-id')).not.toBe(normal.headers.get('x-request-id'));
    // Answered outside Nest's routing: the router (malformed URL), the body parser, a plugin route.
    const cases = [
      ['GET', '/v1/%zz', undefined, 400],
      ['POST', '/v1/api-keys', '{"name":', 400],
      ['POST', '/v1/api-keys', JSON.stringify({ name: 'x'.repeat(5000) }), 413],
      ['GET', '/docs', undefined, 200],
    ] as const;
    for (const [method, path, rawBody, status] of cases) {
      const result = await http(app.url, method, path, { key: keys.admin, rawBody, headers: rawBody ? { 'content-type': 'application/json' } : {} });
      expect([path, result.status, result.headers.get('x-request-id')]).toEqual([path, status, expect.stringMatching(UUID)]);
    }

    const given = 'client-7.Trace_42';
    expect((await http(app.url, 'GET', '/health/live', { headers: { 'x-request-id': given } })).headers.get('x-request-id')).toBe(given);
    expect((await http(app.url, 'GET', '/v1/nothing-here', { key: keys.admin, headers: { 'x-request-id': given } })).headers.get('x-request-id')).toBe(given);
    for (const bad of ['has space', 'semi;colon', 'é', 'x'.repeat(101), '']) {
      const result = await http(app.url, 'GET', '/health/live', { headers: { 'x-request-id': bad } });
      expect([bad, result.headers.get('x-request-id')]).toEqual([bad, expect.stringMatching(UUID)]);
    }
  });

  it('logs each request once with its id: 4xx at warn, successes at debug, probes not at all', async () => {
    const denied = await http(app.url, 'GET', '/v1/api-keys', { headers: { authorization: 'Bearer mb_notakeynotakeynotakeynotakey', 'x-request-id': 'log-401' } });
    expect(denied.status).toBe(401);
    expect(await requestLog('log-401')).toEqual([
      { level: 40, time: expect.any(Number), pid: expect.any(Number), hostname: expect.any(String), req: { id: 'log-401', method: 'GET', url: '/v1/api-keys' }, res: { statusCode: 401 }, responseTime: expect.any(Number), msg: 'request completed' },
    ]);
    const missing = await http(app.url, 'GET', '/v1/nothing-here?page=2', { key: keys.admin });
    expect(await requestLog(missing.headers.get('x-request-id')!)).toEqual([
      expect.objectContaining({ level: 40, req: { id: missing.headers.get('x-request-id'), method: 'GET', url: '/v1/nothing-here?page=2' }, res: { statusCode: 404 } }),
    ]);
    // The decision route logs its problems in the same shape.
    const badDecision = await http(app.url, 'POST', '/v1/decisions', { key: keys['slot-client'], body: { slotId: 'x' }, headers: { 'x-request-id': 'log-hot-400' } });
    expect(badDecision.status).toBe(400);
    expect(await requestLog('log-hot-400')).toEqual([
      { level: 40, time: expect.any(Number), pid: expect.any(Number), hostname: expect.any(String), req: { id: 'log-hot-400', method: 'POST', url: '/v1/decisions' }, res: { statusCode: 400 }, responseTime: expect.any(Number), msg: 'request completed' },
    ]);
    await http(app.url, 'GET', '/v1/api-keys', { key: keys.admin, headers: { 'x-request-id': 'log-200' } });
    expect(await requestLog('log-200')).toEqual([expect.objectContaining({ level: 20, res: { statusCode: 200 } })]);

    for (const path of ['/metrics', '/health/live', '/health/ready']) await http(app.url, 'GET', path, { headers: { 'x-request-id': 'log-probe' } });
    await http(app.url, 'GET', '/v1/api-keys', { key: keys.admin, headers: { 'x-request-id': 'log-after-probes' } });
    await requestLog('log-after-probes');
    expect(logs.lines().filter((line) => line.req?.id === 'log-probe')).toEqual([]);
  });

  it('keeps keys and secrets out of the logs', async () => {
    app.api.app.get(Logger).warn({ key: app.adminKey, apiKey: { key: app.adminKey }, tracking: { secret: app.api.infra.trackingSecret, token: 'tok' }, user: { password: 'pw' }, msg: 'redaction probe' });
    expect(logs.lines().find((line) => line.msg === 'redaction probe')).toMatchObject({
      key: '[redacted]',
      apiKey: { key: '[redacted]' },
      tracking: { secret: '[redacted]', token: '[redacted]' },
      user: { password: '[redacted]' },
    });
    const text = logs.text();
    expect(text).toContain('"level":40'); // the earlier tests' 4xx responses were logged
    for (const secret of [app.adminKey, ...Object.values(keys), app.api.infra.trackingSecret, 'mb_notakeynotakeynotakeynotakey', 'Bearer']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('configuration errors at boot', () => {
  const { execFile } = require('node:child_process') as typeof import('node:child_process');
  const runEntry = (entry: string, env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['-r', '@swc-node/register', entry], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: `${__dirname}/../..` }, (error, _stdout, stderr) =>
        resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stderr }),
      );
    });

  it.each([
    [{ PORT: 'eighty' }, 'MusicBoss configuration error: PORT: must be an integer, got "eighty"'],
    [{ DATABASE_URL: 'postgres://127.0.0.1/x' }, 'MusicBoss configuration error: REDIS_URL: production mode needs both DATABASE_URL and REDIS_URL; set both, or neither for embedded mode'],
  ])('exits non-zero with one clear line for %j', async (env, line) => {
    const result = await runEntry('src/main.ts', env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([line]);
  }, 30_000);

  it('refuses to run a separate worker in embedded mode', async () => {
    const result = await runEntry('src/worker.ts', {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('embedded mode runs its workers inside the API process');
  }, 30_000);
});

describe('management rate limit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startEmbeddedApp({ MUSICBOSS_RATE_LIMIT_PER_MINUTE: '5' });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('answers 429 past the per-key limit, and health stays unlimited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await http(app.url, 'GET', '/v1/api-keys', { key: app.adminKey })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    for (let i = 0; i < 10; i++) expect((await http(app.url, 'GET', '/health/live')).status).toBe(200);
  });
});
