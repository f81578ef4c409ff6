import type { JobDefinitions } from './job-definitions';
import { checkJobHandlers, type DiscoveredHandler } from './job-registry';

const defs = {
  'a.one': { queue: 'system', attempts: 1, backoffMs: 1 },
  'b.two': { queue: 'feedback', attempts: 1, backoffMs: 1 },
} as unknown as JobDefinitions;

const h = (jobName: string, owner: string): DiscoveredHandler => ({ jobName, owner, handle: async () => undefined });

describe('checkJobHandlers', () => {
  it.each([
    { name: 'one handler each', found: [h('a.one', 'A.run'), h('b.two', 'B.run')], problems: [] },
    { name: 'missing handler', found: [h('a.one', 'A.run')], problems: ['job "b.two" has no handler'] },
    {
      name: 'doubled handler',
      found: [h('a.one', 'A.run'), h('a.one', 'C.run'), h('b.two', 'B.run')],
      problems: ['job "a.one" has 2 handlers: A.run, C.run'],
    },
    {
      name: 'handler for an unknown job',
      found: [h('a.one', 'A.run'), h('b.two', 'B.run'), h('c.three', 'D.run')],
      problems: ['handler D.run is for unknown job "c.three"'],
    },
  ])('$name', ({ found, problems }) => {
    const result = checkJobHandlers(defs, found);
    if (problems.length === 0) {
      expect(result.kind).toBe('ok');
      expect(result.kind === 'ok' && [...result.handlers.keys()].sort()).toEqual(['a.one', 'b.two']);
    } else {
      expect(result).toEqual({ kind: 'invalid', problems });
    }
  });
});
