import { checkDecisionRequest } from './decision-request';

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
