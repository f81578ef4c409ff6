import { ConflictException, Injectable, NotFoundException, PayloadTooLargeException, UnsupportedMediaTypeException, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { validationError } from './validation';
import type { ServiceResult } from './service-result';

/** Media types whose bodies reach upload handlers as the raw request stream, never buffered. */
export const STREAMED_MEDIA_TYPES = ['text/plain', 'text/csv', 'application/x-ndjson'] as const;

/**
 * The raw request stream, wrapped so that nothing walks into it: the global ValidationPipe turns
 * any body into a DTO by visiting its enumerable properties, and an IncomingMessage visited that
 * way crashes the process. A private field is invisible to it, so a text body sent to a JSON
 * route becomes an empty object and an ordinary 400.
 */
export class StreamedBody {
  readonly #stream: AsyncIterable<Buffer>;

  constructor(stream: AsyncIterable<Buffer>) {
    this.#stream = stream;
  }

  stream(): AsyncIterable<Buffer> {
    return this.#stream;
  }
}

/**
 * Registers pass-through parsers for the streamed media types. They never reject, so auth
 * guards still run first: a 401/403 is never masked by a body problem.
 */
@Injectable()
export class StreamedBodyParsers implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    // Application contexts (workers, the CLI) have no HTTP server.
    const instance = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!instance || typeof instance.addContentTypeParser !== 'function') return;
    for (const type of STREAMED_MEDIA_TYPES) {
      if (type !== 'text/plain' && instance.hasContentTypeParser(type)) continue;
      instance.addContentTypeParser(type, (_request, payload, done) => done(null, new StreamedBody(payload)));
    }
  }
}

export function mediaTypeOf(request: FastifyRequest): string {
  const header = request.headers['content-type'];
  return (Array.isArray(header) ? header[0] : header ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * The request body as a byte stream, after checking its media type and declared length (413 at
 * once when Content-Length is over the limit; a chunked body is counted while it streams).
 */
export function streamedBody(request: FastifyRequest, accepted: readonly string[], limitBytes: number): AsyncIterable<Buffer> {
  const type = mediaTypeOf(request);
  const body = request.body as unknown;
  if (!accepted.includes(type) || !(body instanceof StreamedBody)) {
    throw new UnsupportedMediaTypeException(`send the body as ${accepted.join(' or ')} (got ${type || 'no content type'})`);
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    throw new PayloadTooLargeException(`upload of ${declared} bytes is larger than the limit of ${limitBytes} bytes (MUSICBOSS_UPLOAD_LIMIT_BYTES)`);
  }
  return body.stream();
}

/** Maps an audience service result onto the API's error shapes. */
export function unwrap<T>(result: ServiceResult<T>): T {
  switch (result.kind) {
    case 'ok':
      return result.value;
    case 'invalid':
      throw validationError(result.errors);
    case 'not-found':
      throw new NotFoundException(result.message);
    case 'conflict':
      throw new ConflictException({ statusCode: 409, error: 'Conflict', message: result.message, ...(result.details ? { usedBy: result.details } : {}) });
    case 'too-large':
      throw new PayloadTooLargeException(result.message);
  }
}
