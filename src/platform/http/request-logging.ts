import type { Params } from 'nestjs-pino';
import { stdSerializers, type DestinationStream, type Logger } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../../config/config';

/**
 * Secrets that must never reach a log line: request lines carry no headers (see requestLogFields),
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

/**
 * nestjs-pino as the application logger only. Request lines come from an `onResponse` hook
 * (logRequest), not from pino-http mounted as Nest middleware: that middleware needs
 * @fastify/middie on every request and binds a per-request logger through AsyncLocalStorage, and
 * on Node 20 an AsyncLocalStorage in use puts promise hooks on every promise of the process. On
 * the decision path the two cost more than the policy code. The price: lines that services write
 * while serving a request carry no req.id (the request line and the 500 line of the exception
 * filter do).
 */
export function loggerParams(level: AppConfig['logLevel'], destination?: DestinationStream): Params {
  const options: Options = {
    level,
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    // Request lines pass plain objects as req and res (requestLogFields); pino-http's standard
    // serializers expect the Node objects and would turn them into nulls.
    wrapSerializers: false,
    serializers: { req: (req: object) => req, res: (res: object) => res, err: stdSerializers.err },
  };
  return { forRoutes: [], pinoHttp: destination ? [options, destination] : options };
}

type RequestLogLevel = 'debug' | 'warn' | 'error';

/** Level of a request's line: successes at debug, 4xx at warn, 5xx at error; null for metrics and health probes. */
export function requestLogLevel(url: string, statusCode: number): RequestLogLevel | null {
  if (url === '/metrics' || url.startsWith('/metrics?') || url.startsWith('/health')) return null;
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'debug';
}

export interface RequestLogInput {
  readonly id: string;
  readonly method: string;
  /** Path and query as the caller sent them. */
  readonly url: string;
  readonly statusCode: number;
  readonly responseTimeMs: number;
}

/** The fields of a request line: only id, method and URL of the request (no headers), the response's status. */
export function requestLogFields(r: RequestLogInput): object {
  return { req: { id: r.id, method: r.method, url: r.url }, res: { statusCode: r.statusCode }, responseTime: Math.round(r.responseTimeMs) };
}

/** Writes the request line when its level is enabled (at the usual levels, only problems are). */
export function logRequest(logger: Logger, r: RequestLogInput): void {
  const level = requestLogLevel(r.url, r.statusCode);
  if (level !== null && logger.isLevelEnabled(level)) logger[level](requestLogFields(r), 'request completed');
}
