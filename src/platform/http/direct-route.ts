import { Logger, type PipeTransform, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { admitOrThrow, type AuthenticatedRequest, checkApiKey, type KeyAuthenticator } from './api-key-check';
import { sendHttpError } from './http-exception.filter';
import { type ApiKeyRole, ROLES_METADATA } from './roles';

export interface DirectRoute<C> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  /** The controller Nest registers the route for; its instance answers, its method's @Roles admit. */
  readonly controller: Type<C>;
  /** The controller method: called with the piped body and the request. */
  readonly handler: keyof C & string;
  /** Turns the raw body into the handler's argument, throwing an HTTP exception when it is invalid. */
  readonly pipe: PipeTransform<unknown, unknown>;
  readonly keys: KeyAuthenticator;
  readonly status?: number;
}

/**
 * Serves a route from Fastify directly, with the same steps Nest would run for it: the API-key check
 * for the roles on the controller method, the route's pipe, the controller, and errors answered as
 * HttpExceptionFilter answers them. Nest still registers the route, so its OpenAPI entry, hooks and
 * 404s are unchanged; only Nest's per-request execution context (guard lookup through Reflector,
 * the pipes consumer, interceptor and exception zones), about 20 µs a request, is skipped. Meant
 * for the few routes whose rate makes that matter (docs/performance.md). Call it before the
 * application is initialised: the handler is swapped as the route is added.
 */
export function serveRouteDirectly<C>(app: NestFastifyApplication, route: DirectRoute<C>): void {
  const fastify = app.getHttpAdapter().getInstance();
  const controller = app.get(route.controller) as C;
  const method = (controller[route.handler] as unknown as (body: unknown, request: FastifyRequest) => Promise<unknown>).bind(controller);
  // Undefined roles refuse every key (checkApiKey), as the global guard does for a route without @Roles.
  const roles = app.get(Reflector).get<ApiKeyRole[] | undefined>(ROLES_METADATA, route.controller.prototype[route.handler]);
  const status = route.status ?? 200;
  const logger = new Logger('HttpError');

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      admitOrThrow(await checkApiKey(route.keys, request.headers.authorization, roles, Date.now()), request as AuthenticatedRequest);
      return reply.code(status).send(await method(route.pipe.transform(request.body, { type: 'body' }), request));
    } catch (error) {
      sendHttpError(error, request, reply, logger);
      return reply;
    }
  };
  fastify.addHook('onRoute', (added) => {
    if (added.url === route.url && added.method === route.method) added.handler = handler;
  });
}
