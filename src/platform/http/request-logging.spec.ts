import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerParams, logRequest, requestLogFields, requestLogLevel } from './request-logging';

describe('request logging', () => {
  it.each<[string, string, number, 'debug' | 'warn' | 'error' | null]>([
    ['a served decision', '/v1/decisions', 200, 'debug'],
    ['a created campaign', '/v1/campaigns', 201, 'debug'],
    ['not modified', '/v1/campaigns/x', 304, 'debug'],
    ['a bad decision request', '/v1/decisions', 400, 'warn'],
    ['an unknown URL', '/v1/nothing?page=2', 404, 'warn'],
    ['rate limited', '/v1/events', 429, 'warn'],
    ['a failing events batch', '/v1/events', 503, 'error'],
    ['a server error', '/v1/campaigns', 500, 'error'],
    ['metrics', '/metrics', 200, null],
    ['metrics with a query', '/metrics?x=1', 500, null],
    ['liveness', '/health/live', 200, null],
    ['readiness while down', '/health/ready', 503, null],
    ['a route that only ends in metrics', '/v1/metrics', 200, 'debug'],
  ])('%s (%s → %d) logs at %s', (_name, url, statusCode, level) => {
    expect(requestLogLevel(url, statusCode)).toBe(level);
  });

  it('binds only id, method and full URL of a request, and only the status of a response', () => {
    expect(requestLogFields({ id: 'r-9', method: 'GET', url: '/v1/t/click?t=1', statusCode: 410, responseTimeMs: 1.6 })).toEqual({
      req: { id: 'r-9', method: 'GET', url: '/v1/t/click?t=1' },
      res: { statusCode: 410 },
      responseTime: 2,
    });
  });

  it('writes a line only when its level is enabled', () => {
    const lines: { level: number; msg: string; req: { id: string } }[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    const logger = pino({ level: 'info' }, sink);
    const at = (id: string, statusCode: number) => logRequest(logger, { id, method: 'POST', url: '/v1/decisions', statusCode, responseTimeMs: 1 });
    at('ok', 200);
    at('bad', 400);
    at('broken', 500);
    expect(lines.map((l) => [l.req.id, l.level, l.msg])).toEqual([
      ['bad', 40, 'request completed'],
      ['broken', 50, 'request completed'],
    ]);
  });

  it('mounts no request middleware (the onResponse hook logs requests)', () => {
    expect(loggerParams('info').forRoutes).toEqual([]);
  });
});
