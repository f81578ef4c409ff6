import { isAbsolute, resolve } from 'node:path';

export type RunMode = 'embedded' | 'production';

export interface AppConfig {
  readonly mode: RunMode;
  readonly port: number;
  readonly host: string;
  /** Production: PostgreSQL URL. Embedded: undefined until PGlite is started. */
  readonly databaseUrl: string | null;
  readonly redisUrl: string | null;
  /** Prefix for every Redis key and BullMQ queue this deployment owns; lets tests and tenants share one Redis. */
  readonly redisPrefix: string;
  /**
   * Production: a Redis Cluster holding the frequency, pacing and goal counters (its seed nodes),
   * for when one Redis primary cannot carry the decision rate; null keeps them on REDIS_URL.
   */
  readonly countersCluster: CountersClusterConfig | null;
  readonly dataDir: string;
  readonly bootstrapAdminKey: string | null;
  /** HMAC secret for tracking links; null in embedded mode means "generate and persist under dataDir". */
  readonly trackingSecret: string | null;
  readonly publicBaseUrl: string | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly bodyLimitBytes: number;
  readonly uploadLimitBytes: number;
  readonly managementRateLimitPerMinute: number;
  readonly modelBudgetMs: number;
  /**
   * Decision-log text an API node holds while the queue is unreachable; past it the oldest rows are
   * dropped and counted, so a long Redis outage cannot run the node out of memory.
   */
  readonly decisionLogBufferBytes: number;
  /** Where an API node keeps tracking events it could not queue, until the queue takes them (MUSICBOSS_SPOOL_DIR). */
  readonly spoolDir: string;
  /** Disk the spool may use; past it, batches are answered 503 and link events are dropped and counted. */
  readonly spoolMaxBytes: number;
  /** How long a producer's queue command may take before the event is spooled instead (the Redis command timeout). */
  readonly queueTimeoutMs: number;
  /** A queue no worker has consumed for this long, or whose oldest waiting job is this old, makes readiness `degraded`. */
  readonly queueStallMs: number;
  readonly shutdownGraceMs: number;
  readonly docsEnabled: boolean;
  /** An impression followed by a click within this window is a positive example. */
  readonly attributionWindowMs: number;
  /** How often the bandit reallocates traffic between a branch's models. */
  readonly banditReweightMs: number;
  /** Day partitions of events older than this are dropped. */
  readonly eventsRetentionDays: number;
  /** Load the demo data set on a first start (empty database, no slots or campaigns). */
  readonly demoData: boolean;
}

export interface CountersClusterConfig {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username: string | null;
  readonly password: string | null;
  readonly tls: boolean;
}

export type ConfigResult = { kind: 'ok'; config: AppConfig } | { kind: 'error'; message: string };

type Env = Readonly<Record<string, string | undefined>>;

class ConfigError extends Error {}

function fail(variable: string, problem: string): never {
  throw new ConfigError(`${variable}: ${problem}`);
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) fail(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) fail(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) fail(name, `must be a number, got "${raw}"`);
  if (value < min || value > max) fail(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readUrl(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(name, 'is not a valid URL');
  }
  if (!protocols.includes(url.protocol)) fail(name, `must use ${protocols.join(' or ')}, got ${url.protocol}`);
  return raw;
}

function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  fail(name, `must be true or false, got "${raw}"`);
}

/** Comma-separated redis:// (or rediss://) URLs of a cluster's seed nodes; credentials and TLS are the first URL's. */
function readClusterNodes(env: Env, name: string): CountersClusterConfig | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  const urls = raw.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const parsed = urls.map((text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      fail(name, `"${describeMaybe(text)}" is not a valid URL (expected redis://host:port, comma-separated)`);
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') fail(name, `must use redis: or rediss:, got ${url.protocol}`);
    if (url.hostname === '') fail(name, 'every node needs a host');
    return url;
  });
  if (new Set(parsed.map((url) => url.protocol)).size > 1) fail(name, 'all nodes must use the same protocol (redis: or rediss:)');
  const first = parsed[0];
  return {
    nodes: parsed.map((url) => ({ host: url.hostname, port: url.port === '' ? 6379 : Number(url.port) })),
    username: first.username === '' ? null : decodeURIComponent(first.username),
    password: first.password === '' ? null : decodeURIComponent(first.password),
    tls: first.protocol === 'rediss:',
  };
}

/** A URL as far as it can be shown in an error: never its credentials. */
function describeMaybe(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//…@');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Reads and validates the whole configuration once. This is the only code that looks at the
 * environment; everything else receives the frozen result. On error, `message` is one line
 * naming the variable and the problem.
 */
export function loadConfig(env: Env, cwd: string = process.cwd()): ConfigResult {
  try {
    const databaseUrl = readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
    const redisUrl = readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);
    if ((databaseUrl === null) !== (redisUrl === null)) {
      fail(databaseUrl ? 'REDIS_URL' : 'DATABASE_URL', 'production mode needs both DATABASE_URL and REDIS_URL; set both, or neither for embedded mode');
    }
    const mode: RunMode = databaseUrl ? 'production' : 'embedded';

    const trackingSecret = env.MUSICBOSS_TRACKING_SECRET || null;
    if (trackingSecret !== null && trackingSecret.length < 32) fail('MUSICBOSS_TRACKING_SECRET', 'must be at least 32 characters');
    if (mode === 'production' && trackingSecret === null) {
      fail('MUSICBOSS_TRACKING_SECRET', 'is required in production mode (at least 32 random characters, the same on every node)');
    }

    const bootstrapAdminKey = env.MUSICBOSS_BOOTSTRAP_ADMIN_KEY || null;
    if (bootstrapAdminKey !== null && bootstrapAdminKey.length < 24) fail('MUSICBOSS_BOOTSTRAP_ADMIN_KEY', 'must be at least 24 characters');

    const logLevel = (env.LOG_LEVEL || 'info') as AppConfig['logLevel'];
    if (!LOG_LEVELS.includes(logLevel)) fail('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);

    const redisPrefix = env.MUSICBOSS_REDIS_PREFIX || 'mb';
    if (!/^[A-Za-z0-9_.-]{1,40}$/.test(redisPrefix)) fail('MUSICBOSS_REDIS_PREFIX', 'must be 1-40 characters of letters, digits, _ . -');

    const countersCluster = readClusterNodes(env, 'MUSICBOSS_COUNTERS_CLUSTER');
    if (countersCluster !== null && mode !== 'production') fail('MUSICBOSS_COUNTERS_CLUSTER', 'needs production mode (DATABASE_URL and REDIS_URL); embedded mode counts in process');

    const dataDirRaw = env.MUSICBOSS_DATA_DIR || './data';
    const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
    const spoolDirRaw = env.MUSICBOSS_SPOOL_DIR || '';
    const config: AppConfig = {
      mode,
      port: readInt(env, 'PORT', 3000, 0, 65535),
      host: env.HOST || '0.0.0.0',
      databaseUrl,
      redisUrl,
      redisPrefix,
      countersCluster,
      dataDir,
      bootstrapAdminKey,
      trackingSecret,
      publicBaseUrl: readUrl(env, 'MUSICBOSS_PUBLIC_BASE_URL', ['http:', 'https:']),
      logLevel,
      bodyLimitBytes: readInt(env, 'MUSICBOSS_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
      uploadLimitBytes: readInt(env, 'MUSICBOSS_UPLOAD_LIMIT_BYTES', 512 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
      managementRateLimitPerMinute: readInt(env, 'MUSICBOSS_RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
      modelBudgetMs: readNumber(env, 'MUSICBOSS_MODEL_BUDGET_MS', 2, 0.1, 1000),
      decisionLogBufferBytes: readInt(env, 'MUSICBOSS_DECISION_LOG_BUFFER_BYTES', 64 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
      // One spool per deployment prefix, so deployments (and test files) that share a data directory never forward each other's events.
      spoolDir: spoolDirRaw === '' ? resolve(dataDir, 'spool', redisPrefix) : isAbsolute(spoolDirRaw) ? spoolDirRaw : resolve(cwd, spoolDirRaw),
      spoolMaxBytes: readInt(env, 'MUSICBOSS_SPOOL_MAX_BYTES', 1024 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024 * 1024),
      queueTimeoutMs: readInt(env, 'MUSICBOSS_QUEUE_TIMEOUT_MS', 500, 10, 60_000),
      queueStallMs: readInt(env, 'MUSICBOSS_QUEUE_STALL_MS', 60_000, 1000, 24 * 3600_000),
      shutdownGraceMs: readInt(env, 'MUSICBOSS_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
      docsEnabled: readBool(env, 'MUSICBOSS_DOCS', true),
      attributionWindowMs: readInt(env, 'MUSICBOSS_ATTRIBUTION_WINDOW_MS', 30 * 60_000, 1000, 7 * 24 * 3600_000),
      banditReweightMs: readInt(env, 'MUSICBOSS_BANDIT_REWEIGHT_MS', 10 * 60_000, 1000, 7 * 24 * 3600_000),
      eventsRetentionDays: readInt(env, 'MUSICBOSS_EVENTS_RETENTION_DAYS', 90, 1, 3650),
      demoData: readBool(env, 'MUSICBOSS_DEMO', mode === 'embedded'),
    };
    return { kind: 'ok', config: Object.freeze(config) };
  } catch (error) {
    if (error instanceof ConfigError) return { kind: 'error', message: error.message };
    throw error;
  }
}

/** host:port/db of a URL with the credentials left out, for boot lines and health output. */
export function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}
