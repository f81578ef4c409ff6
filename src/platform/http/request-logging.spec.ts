import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import { HOT_ROUTES, hotRouteProblemLine, loggerParams } from './request-logging';

type Req = IncomingMessage & { originalUrl?: string };
const options = loggerParams('info').pinoHttp as Options<Req, ServerResponse>;
const req = (originalUrl: string) => ({ id: 'r-1', method: 'POST', url: '/', originalUrl, headers: { authorization: 'Bearer mb_x' } }) as unknown as Req;
const res = (statusCode: number) => ({ statusCode, getHeaders: () => ({ 'set-cookie': 'x' }) }) as unknown as ServerResponse;

describe('request logging parameters', () => {
  it('logs successes at debug, 4xx at warn, 5xx and errors at error', () => {
    const level = (status: number, err?: Error) => options.customLogLevel!(req('/v1/decisions'), res(status), err);
    expect([level(200), level(204), level(304), level(400), level(404), level(429), level(500), level(503), level(200, new Error('x'))]).toEqual([
      'debug', 'debug', 'debug', 'warn', 'warn', 'warn', 'error', 'error', 'error',
    ]);
  });

  it('does not auto-log metrics and health probes, whatever middie left in req.url', () => {
    const ignore = (options.autoLogging as { ignore: (r: Req) => boolean }).ignore;
    expect(['/metrics', '/metrics?x=1', '/health/live', '/health/ready', '/v1/decisions', '/v1/metrics', '/'].map((path) => ignore(req(path)))).toEqual([
      true, true, true, true, false, false, false,
    ]);
  });

  it('binds only id, method and full URL of a request, and only the status of a response', () => {
    expect(options.serializers!.req(req('/v1/decisions?x=1'))).toEqual({ id: 'r-1', method: 'POST', url: '/v1/decisions?x=1' });
    expect(options.serializers!.res(res(201))).toEqual({ statusCode: 201 });
  });

  it('mounts the middleware on every route with a path @fastify/middie matches as such, except the hot routes', () => {
    expect(loggerParams('info').forRoutes).toEqual([{ path: '{*splat}', method: expect.any(Number) }]);
    expect(loggerParams('info').exclude).toEqual(HOT_ROUTES.map(({ path, method }) => ({ path, method })));
  });

  it.each<[string, string, string | undefined, number, 'warn' | 'error' | null]>([
    ['a bad decision request', 'POST', '/v1/decisions', 400, 'warn'],
    ['a forged tracking link', 'GET', '/v1/t/:type', 400, 'warn'],
    ['an expired one', 'GET', '/v1/t/:type', 410, 'warn'],
    ['a failing events batch', 'POST', '/v1/events', 503, 'error'],
    ['a served decision', 'POST', '/v1/decisions', 200, null],
    ['an accepted batch', 'POST', '/v1/events', 202, null],
    ['another route (pino-http logs it)', 'GET', '/v1/campaigns', 404, null],
    ['an unmatched URL (pino-http logs it)', 'POST', undefined, 404, null],
    ['the right URL with another method', 'GET', '/v1/decisions', 404, null],
  ])('hot-route problem lines: %s', (_name, method, routeUrl, statusCode, level) => {
    const line = hotRouteProblemLine({ id: 'r-9', method, routeUrl, url: '/v1/x?t=1', statusCode, responseTimeMs: 1.6 });
    expect(line?.level ?? null).toBe(level);
    if (line) expect(line.fields).toEqual({ req: { id: 'r-9', method, url: '/v1/x?t=1' }, res: { statusCode }, responseTime: 2 });
  });
});
