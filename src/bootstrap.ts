import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { INestApplicationContext } from '@nestjs/common';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { APP_PARTS } from './composition';
import type { AppConfig } from './config/config';
import { ApiKeyService } from './modules/auth';
import { DecisionController, DecisionRequestPipe } from './modules/delivery';
import { checkApiKey } from './platform/http/api-key-check';
import { serveRouteDirectly } from './platform/http/direct-route';
import { HttpExceptionFilter } from './platform/http/http-exception.filter';
import { answerRouterError, echoRequestId, requestIdOf } from './platform/http/request-id';
import { logRequest } from './platform/http/request-logging';
import { createValidationPipe } from './platform/http/validation';
import { openInfrastructure, type Infrastructure } from './platform/infrastructure';
import { BullMqJobDriver } from './platform/jobs/bullmq-job-driver';
import { mountQueueBoard } from './platform/jobs/queue-board';
import { MetricsService } from './platform/metrics/metrics.service';
import type { ProcessRole } from './platform/tokens';
import { useJsonBodyParser } from './platform/http/json-body';

export interface RunningApi {
  readonly app: NestFastifyApplication;
  readonly infra: Infrastructure;
  readonly url: string;
  close(): Promise<void>;
}

export interface ApiOptions {
  /** Where pino writes; standard output unless given (tests capture it). */
  readonly logDestination?: DestinationStream;
}

export async function createApiApp(infra: Infrastructure, options: ApiOptions = {}): Promise<NestFastifyApplication> {
  // Fastify's request id is the one logged and echoed in x-request-id. No Nest middleware, so no
  // @fastify/middie in front of every request (see loggerParams); adding middleware fails at boot.
  const adapter = new FastifyAdapter({ skipMiddie: true, bodyLimit: infra.config.bodyLimitBytes, trustProxy: true, genReqId: requestIdOf, frameworkErrors: answerRouterError });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(infra, options.logDestination), adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  useJsonBodyParser(app, infra.config.bodyLimitBytes);

  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();
  // Before any plugin is registered, so that their routes inherit the hook.
  echoRequestId(fastify);
  const keys = app.get(ApiKeyService);
  // The decision route runs thousands of times a second: it skips Nest's per-request pipeline.
  serveRouteDirectly(app, { method: 'POST', url: '/v1/decisions', controller: DecisionController, handler: 'decide', pipe: new DecisionRequestPipe(), keys });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    logRequest(PinoLogger.root, { id: request.id, method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: reply.elapsedTime });
    done();
  });

  if (infra.config.docsEnabled) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('MusicBoss')
        .setDescription('Ad-delivery decision engine: configuration, decisions, tracking, reports and models.')
        .setVersion('1')
        .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer mb_…' })
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }

  // bull-board at /admin/queues, admin keys only; embedded mode has no BullMQ, so no board (404).
  if (infra.jobDriver instanceof BullMqJobDriver) {
    mountQueueBoard(fastify, infra.jobDriver, (authorization) => checkApiKey(keys, authorization, ['admin'], Date.now()));
  }
  return app;
}

/** API (and, in embedded mode, the workers too) listening on config.port. */
export async function startApi(config: AppConfig, role: ProcessRole, options: ApiOptions = {}): Promise<RunningApi> {
  const infra = await openInfrastructure(config, role, APP_PARTS);
  let app: NestFastifyApplication;
  try {
    app = await createApiApp(infra, options);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await infra.close();
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return {
    app,
    infra,
    url: `http://${host}:${port}`,
    async close() {
      await app.close();
      await infra.close();
    },
  };
}

export interface RunningWorker {
  readonly context: INestApplicationContext;
  readonly infra: Infrastructure;
  close(): Promise<void>;
}

/** A worker: the same modules and job handlers, no HTTP server. */
export async function startWorker(config: AppConfig): Promise<RunningWorker> {
  const infra = await openInfrastructure(config, 'worker', APP_PARTS);
  let context: INestApplicationContext;
  try {
    context = await NestFactory.createApplicationContext(AppModule.forRoot(infra), { bufferLogs: true, abortOnError: false });
    context.useLogger(context.get(Logger));
    await context.init();
  } catch (error) {
    await infra.close();
    throw error;
  }
  return {
    context,
    infra,
    async close() {
      await context.close();
      await infra.close();
    },
  };
}

/** SIGTERM/SIGINT: stop taking requests, drain queues, then close the database, then exit. */
export function closeOnSignals(close: () => Promise<void>, graceMs: number): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    process.stdout.write(`MusicBoss received ${signal}, draining…\n`);
    const force = setTimeout(() => {
      process.stderr.write(`MusicBoss did not drain within ${graceMs} ms; exiting anyway\n`);
      process.exit(1);
    }, graceMs);
    force.unref();
    close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`MusicBoss shutdown error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
