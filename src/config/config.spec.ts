import { describeUrl, loadConfig } from './config';

const SECRET = 'x'.repeat(32);

describe('loadConfig', () => {
  it('defaults to embedded mode with ./data', () => {
    const result = loadConfig({}, '/srv/mb');
    expect(result).toMatchObject({ kind: 'ok', config: { mode: 'embedded', port: 3000, dataDir: '/srv/mb/data', databaseUrl: null, redisUrl: null, decisionLogBufferBytes: 64 * 1024 * 1024 } });
  });

  it('spools under the data directory, one folder per deployment prefix, unless MUSICBOSS_SPOOL_DIR says where', () => {
    expect(loadConfig({ MUSICBOSS_REDIS_PREFIX: 'blue' }, '/srv/mb')).toMatchObject({ kind: 'ok', config: { spoolDir: '/srv/mb/data/spool/blue', spoolMaxBytes: 1024 ** 3, queueTimeoutMs: 500, queueStallMs: 60_000 } });
    expect(loadConfig({ MUSICBOSS_SPOOL_DIR: 'var/spool' }, '/srv/mb')).toMatchObject({ kind: 'ok', config: { spoolDir: '/srv/mb/var/spool' } });
  });

  it('is production mode with both URLs and a tracking secret', () => {
    const result = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/mb', REDIS_URL: 'redis://r:6379', MUSICBOSS_TRACKING_SECRET: SECRET });
    expect(result).toMatchObject({ kind: 'ok', config: { mode: 'production' } });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT: must be an integer, got "abc"'],
    [{ PORT: '70000' }, 'PORT: must be between 0 and 65535, got 70000'],
    [{ DATABASE_URL: 'postgres://db/mb' }, 'REDIS_URL: production mode needs both DATABASE_URL and REDIS_URL; set both, or neither for embedded mode'],
    [{ REDIS_URL: 'redis://r' }, 'DATABASE_URL: production mode needs both DATABASE_URL and REDIS_URL; set both, or neither for embedded mode'],
    [{ DATABASE_URL: 'not a url', REDIS_URL: 'redis://r' }, 'DATABASE_URL: is not a valid URL'],
    [{ DATABASE_URL: 'mysql://db/mb', REDIS_URL: 'redis://r' }, 'DATABASE_URL: must use postgres: or postgresql:, got mysql:'],
    [{ DATABASE_URL: 'postgres://db/mb', REDIS_URL: 'redis://r' }, 'MUSICBOSS_TRACKING_SECRET: is required in production mode (at least 32 random characters, the same on every node)'],
    [{ MUSICBOSS_TRACKING_SECRET: 'short' }, 'MUSICBOSS_TRACKING_SECRET: must be at least 32 characters'],
    [{ MUSICBOSS_BOOTSTRAP_ADMIN_KEY: 'short' }, 'MUSICBOSS_BOOTSTRAP_ADMIN_KEY: must be at least 24 characters'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [{ MUSICBOSS_MODEL_BUDGET_MS: '0' }, 'MUSICBOSS_MODEL_BUDGET_MS: must be between 0.1 and 1000, got 0'],
    [{ MUSICBOSS_DECISION_LOG_BUFFER_BYTES: '100' }, 'MUSICBOSS_DECISION_LOG_BUFFER_BYTES: must be between 1024 and 17179869184, got 100'],
    [{ MUSICBOSS_DECISION_LOG_BUFFER_BYTES: '64MB' }, 'MUSICBOSS_DECISION_LOG_BUFFER_BYTES: must be an integer, got "64MB"'],
    [{ MUSICBOSS_SPOOL_MAX_BYTES: '1000' }, 'MUSICBOSS_SPOOL_MAX_BYTES: must be between 65536 and 1099511627776, got 1000'],
    [{ MUSICBOSS_QUEUE_TIMEOUT_MS: '5' }, 'MUSICBOSS_QUEUE_TIMEOUT_MS: must be between 10 and 60000, got 5'],
    [{ MUSICBOSS_QUEUE_STALL_MS: 'soon' }, 'MUSICBOSS_QUEUE_STALL_MS: must be an integer, got "soon"'],
    [{ MUSICBOSS_DOCS: 'maybe' }, 'MUSICBOSS_DOCS: must be true or false, got "maybe"'],
    [{ MUSICBOSS_ATTRIBUTION_WINDOW_MS: '10' }, 'MUSICBOSS_ATTRIBUTION_WINDOW_MS: must be between 1000 and 604800000, got 10'],
    [{ MUSICBOSS_EVENTS_RETENTION_DAYS: '0' }, 'MUSICBOSS_EVENTS_RETENTION_DAYS: must be between 1 and 3650, got 0'],
    [{ MUSICBOSS_DEMO: 'sometimes' }, 'MUSICBOSS_DEMO: must be true or false, got "sometimes"'],
    [{ MUSICBOSS_REDIS_PREFIX: 'a b' }, 'MUSICBOSS_REDIS_PREFIX: must be 1-40 characters of letters, digits, _ . -'],
    [{ MUSICBOSS_COUNTERS_CLUSTER: 'redis://a:7000' }, 'MUSICBOSS_COUNTERS_CLUSTER: needs production mode (DATABASE_URL and REDIS_URL); embedded mode counts in process'],
    [{ DATABASE_URL: 'postgres://db/mb', REDIS_URL: 'redis://r', MUSICBOSS_TRACKING_SECRET: SECRET, MUSICBOSS_COUNTERS_CLUSTER: 'a:7000' }, 'MUSICBOSS_COUNTERS_CLUSTER: must use redis: or rediss:, got a:'],
    [{ DATABASE_URL: 'postgres://db/mb', REDIS_URL: 'redis://r', MUSICBOSS_TRACKING_SECRET: SECRET, MUSICBOSS_COUNTERS_CLUSTER: 'redis://u:secret@a:7000 b' }, 'MUSICBOSS_COUNTERS_CLUSTER: "redis://…@a:7000 b" is not a valid URL (expected redis://host:port, comma-separated)'],
    [{ DATABASE_URL: 'postgres://db/mb', REDIS_URL: 'redis://r', MUSICBOSS_TRACKING_SECRET: SECRET, MUSICBOSS_COUNTERS_CLUSTER: 'redis://a:7000,rediss://b:7000' }, 'MUSICBOSS_COUNTERS_CLUSTER: all nodes must use the same protocol (redis: or rediss:)'],
  ])('rejects %j with one clear line', (env, message) => {
    expect(loadConfig(env)).toEqual({ kind: 'error', message });
  });

  it.each([
    [{}, true],
    [{ MUSICBOSS_DEMO: 'false' }, false],
    [{ DATABASE_URL: 'postgres://db/mb', REDIS_URL: 'redis://r', MUSICBOSS_TRACKING_SECRET: SECRET }, false],
    [{ DATABASE_URL: 'postgres://db/mb', REDIS_URL: 'redis://r', MUSICBOSS_TRACKING_SECRET: SECRET, MUSICBOSS_DEMO: 'true' }, true],
  ])('demo data with %j: %s (on by default in embedded mode only)', (env, expected) => {
    const result = loadConfig(env);
    expect(result.kind === 'ok' && result.config.demoData).toBe(expected);
  });

  it('reads the counters cluster: its seed nodes, and credentials and TLS from the first URL', () => {
    const result = loadConfig({ DATABASE_URL: 'postgres://db/mb', REDIS_URL: 'redis://r', MUSICBOSS_TRACKING_SECRET: SECRET, MUSICBOSS_COUNTERS_CLUSTER: 'rediss://mb:p%40ss@c1.example:7000, rediss://c2.example' });
    expect(result).toMatchObject({
      kind: 'ok',
      config: { countersCluster: { nodes: [{ host: 'c1.example', port: 7000 }, { host: 'c2.example', port: 6379 }], username: 'mb', password: 'p@ss', tls: true } },
    });
    const none = loadConfig({ DATABASE_URL: 'postgres://db/mb', REDIS_URL: 'redis://r', MUSICBOSS_TRACKING_SECRET: SECRET });
    expect(none.kind === 'ok' && none.config.countersCluster).toBeNull();
  });

  it('freezes the result', () => {
    const result = loadConfig({});
    expect(result.kind === 'ok' && Object.isFrozen(result.config)).toBe(true);
  });

  it('describes URLs without credentials', () => {
    expect(describeUrl('postgres://user:secret@db:5432/mb')).toBe('postgres://db:5432/mb');
  });
});
