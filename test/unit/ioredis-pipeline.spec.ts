import { Redis } from 'ioredis';

// ioredis 5 gives every Pipeline an own `length` accessor whose getter closes over the pipeline.
// On Node 20 each such object gets a map of its own in old space, and what that map references
// (the pipeline, its commands, their arguments and encoded text) survives scavenges and is promoted:
// with auto-pipelining that was most of what the API promoted. patches/ioredis+*.patch moves the
// getter to the prototype (applied by patch-package on install); this fails if the patch is lost.
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
