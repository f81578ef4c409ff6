import { PLATFORMS } from '../catalog';
import { BodyDefinition, type BodyCheck, type BodyFields, type BodyOf } from './body-fields';

/**
 * The body of POST /v1/decisions, described once: its type (DecisionInput), its check
 * (checkDecisionRequest, the route's pipe) and its OpenAPI schema (DECISION_BODY.schema) all come
 * from this table. Text PostgreSQL cannot store (NUL, unpaired surrogates) never gets here: the
 * JSON body parser refuses it for every route (platform/http/json-body.ts).
 */
const DECISION_FIELDS = {
  slotId: { type: 'string', required: true, minLength: 1, maxLength: 100, example: 'phone-desktop-banner', description: 'Slot key or id.' },
  userId: { type: 'string', required: true, minLength: 1, maxLength: 128, example: 'u-000042', description: 'The listener.' },
  platform: { type: 'enum', required: true, values: PLATFORMS, example: 'ios' },
  appVersion: { type: 'string', minLength: 1, maxLength: 40, example: '12.4.0' },
  context: {
    type: 'flat-object',
    maxProperties: 32,
    maxKeyLength: 64,
    maxValueLength: 200,
    example: { hour: 21, network: 'wifi', trackId: 't-881', artistId: 'a-12', genre: 'mandopop' },
    description: 'What the app knows about the moment; models score with it and the decision log keeps it.',
  },
  count: { type: 'integer', minimum: 1, maximum: 20, example: 1, description: "Ads wanted; capped by the slot's maximum." },
  explain: { type: 'boolean', example: false, description: 'Also list every candidate that was dropped, and why.' },
} as const satisfies BodyFields;

export const DECISION_BODY = new BodyDefinition(DECISION_FIELDS);

export type DecisionInput = BodyOf<typeof DECISION_FIELDS>;

export type DecisionRequestCheck = BodyCheck<DecisionInput>;

/** Same rules and error shape as the DTO validation of every other route (unknown fields rejected, each field named). */
export function checkDecisionRequest(body: unknown): DecisionRequestCheck {
  return DECISION_BODY.check(body);
}
