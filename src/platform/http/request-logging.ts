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
    pinoHttp: destination ? [options, destination] : options,
  };
}
