import { checkDecisionRequest, DECISION_BODY } from './decision-request';

const ok = { slotId: 'phone-desktop-splash', userId: 'u-1', platform: 'ios' };

describe('checkDecisionRequest', () => {
  it.each([
    ['minimal', ok],
    ['everything', { ...ok, appVersion: '12.4.0', context: { hour: 21, network: 'wifi', vip: true }, count: 20, explain: true }],
    ['count 1', { ...ok, count: 1 }],
    ['paired surrogates and CJK', { ...ok, userId: 'u-🎵-歌', context: { mood: '🎸 é 歌' } }],
    ['32 context keys', { ...ok, context: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, i])) }],
  ])('accepts %s and passes exactly the known fields on', (_name, body) => {
    const check = checkDecisionRequest(body);
    expect(check).toEqual({ kind: 'valid', input: body });
  });

  it.each([
    ['not an object', 'x', 'body'],
    ['an array', [ok], 'body'],
    ['null', null, 'body'],
    ['missing slotId', { userId: 'u', platform: 'ios' }, 'slotId'],
    ['empty userId', { ...ok, userId: '' }, 'userId'],
    ['long userId', { ...ok, userId: 'u'.repeat(129) }, 'userId'],
    ['numeric userId', { ...ok, userId: 42 }, 'userId'],
    ['unknown platform', { ...ok, platform: 'fridge' }, 'platform'],
    ['platform not a string', { ...ok, platform: 1 }, 'platform'],
    ['count 0', { ...ok, count: 0 }, 'count'],
    ['count 21', { ...ok, count: 21 }, 'count'],
    ['count 1.5', { ...ok, count: 1.5 }, 'count'],
    ['count as string', { ...ok, count: '2' }, 'count'],
    ['explain as string', { ...ok, explain: 'true' }, 'explain'],
    ['nested context', { ...ok, context: { nested: { a: 1 } } }, 'context'],
    ['context array', { ...ok, context: [1] }, 'context'],
    ['context NaN-like', { ...ok, context: { hour: null } }, 'context'],
    ['33 context keys', { ...ok, context: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) }, 'context'],
    ['long context value', { ...ok, context: { t: 'x'.repeat(201) } }, 'context'],
    ['empty appVersion', { ...ok, appVersion: '' }, 'appVersion'],
    ['unknown field', { ...ok, userID: 'u' }, 'userID'],
  ])('rejects %s, naming the field', (_name, body, field) => {
    const check = checkDecisionRequest(body);
    expect(check.kind).toBe('invalid');
    if (check.kind === 'invalid') expect(check.errors.map((e) => e.field)).toContain(field);
  });

  it('names every bad field at once', () => {
    const check = checkDecisionRequest({ slotId: '', userId: '', platform: 'tv?', count: 99 });
    expect(check.kind === 'invalid' && check.errors.map((e) => e.field).sort()).toEqual(['count', 'platform', 'slotId', 'userId']);
  });
});

describe('checkDecisionRequest messages', () => {
  it('answers one { field, problems } per bad field, unknown fields first, in the messages every route uses', () => {
    const check = checkDecisionRequest({ extra: 1, slotId: 7, userId: 'u'.repeat(129), appVersion: '', context: { hour: null }, count: 21, explain: 'yes' });
    expect(check).toEqual({
      kind: 'invalid',
      errors: [
        { field: 'extra', problems: ['is not an allowed field'] },
        { field: 'slotId', problems: ['must be a string'] },
        { field: 'userId', problems: ['must be 1..128 characters long'] },
        { field: 'platform', problems: ['platform must be one of ios, android, pc, h5, car, speaker, tv'] },
        { field: 'appVersion', problems: ['must be 1..40 characters long'] },
        { field: 'context', problems: ['hour must be a string (≤200 chars), a finite number or a boolean'] },
        { field: 'count', problems: ['must be an integer in 1..20'] },
        { field: 'explain', problems: ['must be a boolean'] },
      ],
    });
  });

  it.each([
    [[1], 'must be an object'],
    [Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])), 'must have at most 32 keys'],
    [{ ['k'.repeat(65)]: 1 }, `key "${'k'.repeat(20)}…" is longer than 64 characters`],
  ])('context %#: %s', (context, message) => {
    expect(checkDecisionRequest({ ...ok, context })).toEqual({ kind: 'invalid', errors: [{ field: 'context', problems: [message] }] });
  });

  it('refuses what is not an object as the body', () => {
    expect(checkDecisionRequest('x')).toEqual({ kind: 'invalid', errors: [{ field: 'body', problems: ['must be a JSON object'] }] });
  });
});

describe('the decision body schema (OpenAPI)', () => {
  it('states the limits the check applies, from the same table', () => {
    expect(DECISION_BODY.schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['slotId', 'userId', 'platform'],
      properties: {
        slotId: { type: 'string', minLength: 1, maxLength: 100 },
        userId: { type: 'string', minLength: 1, maxLength: 128 },
        platform: { type: 'string', enum: ['ios', 'android', 'pc', 'h5', 'car', 'speaker', 'tv'] },
        appVersion: { type: 'string', minLength: 1, maxLength: 40 },
        context: { type: 'object', maxProperties: 32, additionalProperties: { oneOf: [{ type: 'string', maxLength: 200 }, { type: 'number' }, { type: 'boolean' }] } },
        count: { type: 'integer', minimum: 1, maximum: 20 },
        explain: { type: 'boolean' },
      },
    });
    expect(Object.keys(DECISION_BODY.schema.properties ?? {})).toEqual(['slotId', 'userId', 'platform', 'appVersion', 'context', 'count', 'explain']);
    expect((DECISION_BODY.schema.properties?.context as { description: string }).description).toContain('at most 32 keys (≤64 chars)');
  });
});
