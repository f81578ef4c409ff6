import type { ApiKeyRole } from './roles';
import { roleSatisfies } from './roles';

describe('roleSatisfies', () => {
  it.each<[ApiKeyRole, ApiKeyRole[], boolean]>([
    ['admin', ['admin'], true],
    ['admin', ['operator'], true],
    ['admin', ['viewer'], true],
    ['admin', ['slot-client'], false],
    ['operator', ['admin'], false],
    ['operator', ['operator'], true],
    ['operator', ['viewer'], true],
    ['viewer', ['operator'], false],
    ['viewer', ['viewer'], true],
    ['slot-client', ['viewer'], false],
    ['slot-client', ['slot-client'], true],
    ['viewer', ['operator', 'viewer'], true],
  ])('%s on a route for %j → %s', (held, required, expected) => {
    expect(roleSatisfies(held, required)).toBe(expected);
  });
});
