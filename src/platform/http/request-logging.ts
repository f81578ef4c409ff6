import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import { stdSerializers, type DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../../config/config';

/**
 * Secrets that must never reach a log line: request lines carry no headers (see the serializers),
 * and these fields are censored in a logged object and in the objects it holds (pino's redaction
 * has no deeper wildcard).
 */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...['key', 'secret', 'password', 'token'].flatMap((field) => [field, `*.${field}`]),
];

/** A request as the middleware sees it: @fastify/middie rewrites `url` to the part after the mount path. */
type MiddlewareRequest = IncomingMessage & { originalUrl?: string };

const pathOf = (req: MiddlewareRequest): string => req.originalUrl ?? req.url ?? '';

const isProbe = (req: MiddlewareRequest): boolean => {
  const path = pathOf(req);
  return path === '/metrics' || path.startsWith('/metrics?') || path.startsWith('/health');
};

/**
 * nestjs-pino's request logging: pino-http mounted as Nest middleware on every route.
 *
 * - `forRoutes` is explicit: the library's default, `{/*splat}`, reaches @fastify/middie (9.3)
 *   as `/{/*splat}`, which matches only `/`, so on Fastify nothing else was ever logged.
 * - The request id is Fastify's (`genReqId` on the adapter, see request-id.ts): middie passes
 *   it to pino-http as `req.id`, so a `genReqId` here would never be called.
 * - Serializers are not wrapped by the standard ones, which copy every header: a request binds
 *   only id, method and URL, a response its status code.
 */
export function loggerParams(level: AppConfig['logLevel'], destination?: DestinationStream): Params<MiddlewareRequest, ServerResponse> {
  const options: Options<MiddlewareRequest, ServerResponse> = {
    level,
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    // The decision path runs at thousands of requests a second: successes log at debug, problems at warn/error.
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
    autoLogging: { ignore: isProbe },
    wrapSerializers: false,
    serializers: {
      req: (req: MiddlewareRequest) => ({ id: req.id, method: req.method, url: pathOf(req) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: stdSerializers.err,
    },
  };
  return {
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    exclude: HOT_ROUTES.map(({ path, method }) => ({ path, method })),
    pinoHttp: destination ? [options, destination] : options,
  };
}

/**
 * Routes the app calls for every ad it shows, thousands of times a second. pino-http's per-request
 * child logger and async context cost them more than their own policy code, so they are left out
 * of the middleware and logHotRouteProblem logs their 4xx/5xx in the same shape (their successes
 * are debug lines, off at the usual levels). A log line written inside their handlers carries no req.id.
 */
export const HOT_ROUTES = [
  { path: 'v1/decisions', url: '/v1/decisions', method: RequestMethod.POST, verb: 'POST' },
  { path: 'v1/events', url: '/v1/events', method: RequestMethod.POST, verb: 'POST' },
  { path: 'v1/t/:type', url: '/v1/t/:type', method: RequestMethod.GET, verb: 'GET' },
] as const;

const HOT_ROUTE_KEYS = new Set<string>(HOT_ROUTES.map((r) => `${r.verb} ${r.url}`));

export interface HotRouteResponse {
  readonly id: string;
  readonly method: string;
  /** The route pattern Fastify matched (undefined for a 404). */
  readonly routeUrl: string | undefined;
  readonly url: string;
  readonly statusCode: number;
  readonly responseTimeMs: number;
}

/** A hot route's response as pino-http would have logged it, when it is a 4xx/5xx; null otherwise. */
export function hotRouteProblemLine(r: HotRouteResponse): { level: 'warn' | 'error'; fields: object } | null {
  if (r.statusCode < 400 || r.routeUrl === undefined || !HOT_ROUTE_KEYS.has(`${r.method} ${r.routeUrl}`)) return null;
  return {
    level: r.statusCode >= 500 ? 'error' : 'warn',
    fields: { req: { id: r.id, method: r.method, url: r.url }, res: { statusCode: r.statusCode }, responseTime: Math.round(r.responseTimeMs) },
  };
}
