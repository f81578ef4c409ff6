import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * One error shape for every failure. Fastify's own errors (body too large, bad JSON, wrong
 * content type) keep their 4xx status; only a genuine bug becomes a 500, and its details are
 * logged, not returned.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    sendHttpError(exception, host.switchToHttp().getRequest<FastifyRequest>(), host.switchToHttp().getResponse<FastifyReply>(), this.logger);
  }
}

/** Answers an error as HttpExceptionFilter does; for routes whose errors do not pass through Nest (the decision route). */
export function sendHttpError(exception: unknown, request: FastifyRequest | undefined, reply: FastifyReply, logger: Pick<Logger, 'error'>): void {
  if (exception instanceof HttpException) {
    void reply.status(exception.getStatus()).send(httpErrorBody(exception));
    return;
  }
  const error = exception as FastifyLikeError;
  if (typeof error?.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    void reply.status(error.statusCode).send({ statusCode: error.statusCode, error: describeStatus(error.statusCode), code: error.code, message: error.message });
    return;
  }
  logger.error({ err: exception, reqId: request?.id, url: request?.url }, 'unhandled error');
  void reply.status(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'internal error; see the server log', requestId: request?.id });
}

/** The JSON body every HttpException answers with (also used by Fastify hooks outside Nest's routing). */
export function httpErrorBody(exception: HttpException): object {
  const status = exception.getStatus();
  const body = exception.getResponse();
  return typeof body === 'string' ? { statusCode: status, message: body } : { statusCode: status, ...(body as object) };
}

function describeStatus(status: number): string {
  switch (status) {
    case 400: return 'Bad Request';
    case 404: return 'Not Found';
    case 405: return 'Method Not Allowed';
    case 413: return 'Payload Too Large';
    case 415: return 'Unsupported Media Type';
    default: return 'Client Error';
  }
}
