import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { ApiKeyCheck } from '../http/api-key-check';
import { httpErrorBody } from '../http/http-exception.filter';
import type { BullMqJobDriver } from './bullmq-job-driver';
import { QUEUE_NAMES } from './job-definitions';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * bull-board (UI and its JSON API) for every queue of the registry, under /admin/queues.
 * Production mode only: it reads the BullMQ driver's own Queue objects. It is a Fastify plugin,
 * not a Nest controller, so the global guard doesn't run here: an onRequest hook scoped to the
 * plugin asks `checkAccess` and answers 401/403 in the app's error shape before any board route.
 */
export function mountQueueBoard(
  fastify: FastifyInstance,
  driver: BullMqJobDriver,
  checkAccess: (authorization: string | string[] | undefined) => Promise<ApiKeyCheck>,
): void {
  const serverAdapter = new BullBoardFastifyAdapter().setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(driver.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'MusicBoss queues' } },
  });
  void fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        const check = await checkAccess(request.headers.authorization);
        if (check.kind === 'allowed') return;
        const error = check.kind === 'unauthorized' ? new UnauthorizedException(check.message) : new ForbiddenException(check.message);
        return reply.status(error.getStatus()).send(httpErrorBody(error));
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUE_BOARD_PATH },
  );
}
