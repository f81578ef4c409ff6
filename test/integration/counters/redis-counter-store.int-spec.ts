import Redis from 'ioredis';
import { counterStoreContract } from '../../support/counter-store.contract';
import { RedisCounterStore } from '../../../src/platform/counters/redis-counter-store';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// One prefix per test file run, one sub-prefix per test: runs never see each other's keys.
const FILE_PREFIX = `test:counters:${process.pid}:${Date.now().toString(36)}`;

let redis: Redis;
let testNo = 0;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${FILE_PREFIX}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
});

counterStoreContract('redis', async () => {
  const store = new RedisCounterStore(redis, `${FILE_PREFIX}:${++testNo}`);
  return { store, ttlS: (key) => store.ttlS(key) };
});

describe('RedisCounterStore', () => {
  it('makes exactly one round trip per reserve', async () => {
    const store = new RedisCounterStore(redis, `${FILE_PREFIX}:rt`);
    await store.reserve({ candidates: [{ id: 'warm', checks: [{ key: 'w', limit: 1, op: 'reserve', ttlS: 60, reason: 'cap' }] }], want: 1 });
    const sent: string[] = [];
    const original = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { name: string }) => {
      sent.push(command.name);
      return original(command as never);
    }) as typeof redis.sendCommand;
    try {
      await store.reserve({
        candidates: [
          { id: 'a', checks: [{ key: '{u:1}:x', limit: 1, op: 'reserve', ttlS: 60, reason: 'cap' }, { key: '{u:1}:s', limit: 0, op: 'absent', ttlS: 0, reason: 'suppressed' }] },
          { id: 'b', checks: [{ key: '{u:1}:y', limit: 1, op: 'reserve', ttlS: 60, reason: 'cap' }] },
        ],
        want: 2,
      });
    } finally {
      redis.sendCommand = original;
    }
    expect(sent).toEqual(['evalsha']);
  });
});
