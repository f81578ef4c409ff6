import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a caller may choose as its own request id: safe to log and to echo. */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Fastify's `genReqId`: the caller's `x-request-id` when it is acceptable, else a new UUID.
 * Fastify's request id is the one pino-http logs: @fastify/middie hands it to the middleware as
 * `req.id`, and pino-http only generates an id of its own when there is none.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Fastify's `frameworkErrors`: a URL the router rejects (malformed, 400; a parameter over
 * `maxParamLength`, 414) is answered before any hook runs, so the id is set here. Replaces
 * FastifyAdapter's default, which only adds to this the headers of `useSecurityHeaders()` and
 * `enableCsrfProtection()`, neither of which this app uses.
 */
export function answerRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header(REQUEST_ID_HEADER, request.id).send(error);
}

/**
 * Echoes the request id on every other response Fastify sends: routes, 404s, errors raised in
 * hooks, body parsing or middleware, and responses ended by an earlier `onRequest` hook.
 */
export function echoRequestId(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done(null, payload);
  });
}
