import { isPoisonError } from './poison-error';

describe('isPoisonError', () => {
  it.each([
    ['timestamp out of range (22008)', Object.assign(new Error('timestamp out of range'), { code: '22008' }), true],
    ['invalid uuid text (22P02)', Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' }), true],
    ['not-null violation (23502)', Object.assign(new Error('null value'), { code: '23502' }), true],
    ['read-only transaction (25006): an outage, retry', Object.assign(new Error('writes refused'), { code: '25006' }), false],
    ['insufficient privilege (42501): retry', Object.assign(new Error('permission denied'), { code: '42501' }), false],
    ['deadlock (40P01): retry', Object.assign(new Error('deadlock detected'), { code: '40P01' }), false],
    ['connection refused: retry', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), false],
    ['a bug on malformed payload', new TypeError("Cannot read properties of undefined (reading 'd')"), true],
    ['anything else', new Error('boom'), false],
  ])('%s', (_name, error, expected) => expect(isPoisonError(error)).toBe(expected));
});
