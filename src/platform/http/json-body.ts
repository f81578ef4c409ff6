import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { findUnstorableText, UNSTORABLE_TEXT_PROBLEM } from '../../engine/util/storable-text';
import { validationError } from './validation';

/**
 * The application/json parser of every route: Fastify's own (prototype and constructor poisoning
 * refused), then a check that PostgreSQL can store every key and string: a NUL or an unpaired
 * surrogate in a name, a rule or a context would otherwise reach the database and fail there (on the
 * decision path, a whole decision-log batch later), so it is a 400 naming the field here.
 * Registered through Nest so that Nest does not add its default JSON parser on top.
 */
export function useJsonBodyParser(app: NestFastifyApplication, bodyLimitBytes: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Built once: Nest's default builds Fastify's parser again for every request.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit: bodyLimitBytes }, (request, body, done) => {
    parseJson(request as Parameters<typeof parseJson>[0], body as unknown as string, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      const at = findUnstorableText(value);
      if (at !== null) return done(validationError([{ field: at === '' ? 'body' : at, problems: [UNSTORABLE_TEXT_PROBLEM] }]), undefined);
      done(null, value);
    });
  });
}
