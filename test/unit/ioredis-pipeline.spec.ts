import { Redis } from 'ioredis';

// ioredis 5 gives every Pipeline an own `length` accessor whose getter closes over the pipeline.
// With it, a pipeline and what it references (its commands, their arguments and encoded text)
// survive scavenges and are promoted, likely because each such object gets a map of its own in old
// space: with auto-pipelining that was most of what the API promoted. patches/ioredis+*.patch moves
// the getter to the prototype (applied by patch-package on install); this fails if it is lost.
describe('ioredis Pipeline, as patched', () => {
  it('has no own length accessor, and length still counts the queued commands', () => {
    const redis = new Redis({ lazyConnect: true });
    try {
      const pipeline = redis.pipeline().get('a').get('b');
      expect(Object.getOwnPropertyDescriptor(pipeline, 'length')).toBeUndefined();
      expect(pipeline.length).toBe(2);
    } finally {
      redis.disconnect();
    }
  });
});
