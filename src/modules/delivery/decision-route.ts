import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendHttpError } from '../../platform/http/http-exception.filter';
import type { ApiKeyRole } from '../auth/api-key.entity';
import { admitOrThrow, checkApiKey, type AuthenticatedRequest } from '../auth/api-key.guard';
import { ApiKeyService } from '../auth/api-key.service';
import { ROLES_METADATA } from '../auth/roles.decorator';
import { DecisionController, DecisionRequestPipe } from './decision.controller';

const DECISION_ROUTE = { method: 'POST', url: '/v1/decisions' } as const;

/**
 * Serves POST /v1/decisions from Fastify directly, with the same steps Nest would run for it: the
 * API-key check for the roles on DecisionController.decide, DecisionRequestPipe, the controller, and
 * errors answered as HttpExceptionFilter answers them. Nest still registers the route (so its
 * OpenAPI entry, hooks and 404s are unchanged); only its per-request execution context is skipped.
 * That context (guard lookup through Reflector, the pipes consumer, the interceptor and exception
 * zones, the response controller) cost about 20 µs a request: a canned body served through the
 * Nest route took 77–86 µs of CPU, a Fastify route in the same process doing the key check
 * 55–66 µs (README, session 8). Every other route keeps Nest's pipeline.
 * Must be called before the application is initialised: the handler is swapped as the route is added.
 */
export function serveDecisionsDirectly(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const controller = app.get(DecisionController);
  const keys = app.get(ApiKeyService);
  // Undefined roles refuse every key (checkApiKey): as the global guard does for a route without @Roles.
  const roles = app.get(Reflector).get<ApiKeyRole[] | undefined>(ROLES_METADATA, DecisionController.prototype.decide);
  const pipe = new DecisionRequestPipe();
  const logger = new Logger('HttpError');

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      admitOrThrow(await checkApiKey(keys, request.headers.authorization, roles, Date.now()), request as AuthenticatedRequest);
      return reply.code(200).send(await controller.decide(pipe.transform(request.body), request));
    } catch (error) {
      sendHttpError(error, request, reply, logger);
      return reply;
    }
  };
  fastify.addHook('onRoute', (route) => {
    if (route.url === DECISION_ROUTE.url && route.method === DECISION_ROUTE.method) route.handler = handler;
  });
}
