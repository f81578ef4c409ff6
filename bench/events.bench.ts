/**
 * bench:events — tracking events through MusicBoss in production mode (API and worker as separate
 * processes, local PostgreSQL and Redis). Makes decisions through the API first, then sends every
 * served ad's impression, click, conversion and skip (shuffled, plus 1% replays) in batches of 500
 * to POST /v1/events, waits until the worker has stored them, and checks the events table and the
 * live counters against what was sent.
 *
 *   npm run bench:events            EVENTS=200000 by default
 *   TEST_DATABASE_URL / TEST_REDIS_URL   default postgresql://postgres@127.0.0.1:5432/postgres, redis://127.0.0.1:6379
 *
 * Prints last: events-bench: events=<n> accepted_per_s=<r> processed_per_s=<r> lost=<k> duplicated=<d> lag_p99_ms=<x>
 */
import { Client } from 'pg';
import { startProductionStack } from './lib/production';

const EVENTS = Number(process.env.EVENTS ?? 200_000);
const BATCH = 500;
const EVENT_CONCURRENCY = 8;
const DECISION_CONCURRENCY = 16;
// Eight ads a decision: fewer decision requests per event, so the run spends its time on events.
const ADS_PER_DECISION = 8;
const TYPES = ['impression', 'click', 'conversion', 'skip'] as const;

const log = (message: string) => process.stderr.write(`[events-bench] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T = any>(base: string, key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text) as T };
}

async function ok<T = any>(p: Promise<{ status: number; body: T }>): Promise<T> {
  const r = await p;
  if (r.status >= 300) throw new Error(`unexpected ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body;
}

/** Runs `count` tasks over `concurrency` workers. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Deterministic shuffle (xorshift32), so runs are comparable. */
function shuffle<T>(items: T[], seed: number): T[] {
  let s = seed >>> 0 || 1;
  for (let i = items.length - 1; i > 0; i--) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const j = s % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

async function main(): Promise<void> {
  const stack = await startProductionStack('mbbench_events', { MUSICBOSS_DOCS: 'false' }, log);
  const base = stack.url;
  const adminKey = stack.adminKey;
  const db = new Client({ connectionString: stack.databaseUrl });
  try {
    await db.connect();
    log(`API ${base}, worker started, Redis prefix ${stack.redisPrefix}`);

    // A feed slot with eight ads a response, eight campaigns (membership ones suppress on conversion, one has a click goal).
    const client = (await ok(api(base, adminKey, 'POST', '/v1/api-keys', { name: 'bench app', role: 'slot-client' }))).key as string;
    await ok(api(base, adminKey, 'POST', '/v1/slots', { key: 'bench-feed', name: 'Bench feed', format: 'feed', platforms: ['ios', 'android'], maxAdsPerResponse: ADS_PER_DECISION }));
    const campaignIds: string[] = [];
    for (let i = 0; i < ADS_PER_DECISION; i++) {
      const category = (['membership', 'partner', 'digital_album', 'paid_package'] as const)[i % 4];
      const created = await ok(
        api(base, adminKey, 'POST', '/v1/campaigns', {
          name: `Bench ${i}`,
          category,
          priority: 50 + i,
          platforms: ['ios', 'android'],
          slots: ['bench-feed'],
          schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' },
          ...(i === 1 ? { goal: { metric: 'clicks', daily: null, total: 100_000_000, pacing: 'asap' } } : {}),
        }),
      );
      await ok(api(base, adminKey, 'POST', `/v1/campaigns/${created.id}/creatives`, { type: 'text', formats: ['feed'], title: `c${i}`, landingUrl: `https://example.com/${i}` }));
      await ok(api(base, adminKey, 'POST', `/v1/campaigns/${created.id}/status`, { status: 'active' }, { 'if-match': `"${created.version}"` }));
      campaignIds.push(created.id);
    }
    await ok(api(base, adminKey, 'PUT', '/v1/slots/bench-feed/policy', { branches: [{ name: 'everyone', audience: 'everyone', campaignIds, method: 'priority' }] }));
    for (let tries = 0; ; tries++) {
      const r = await api(base, client, 'POST', '/v1/decisions', { slotId: 'bench-feed', userId: 'warmup', platform: 'ios', count: ADS_PER_DECISION });
      if (r.status === 200 && r.body.ads?.length === ADS_PER_DECISION) break;
      if (tries > 200) throw new Error(`decisions never served every ad: ${JSON.stringify(r.body).slice(0, 300)}`);
      await sleep(100);
    }

    // Decisions through the API: one token per link of each served ad.
    const adsNeeded = Math.ceil(EVENTS / TYPES.length);
    const tokens: { tokens: Record<(typeof TYPES)[number], string>; decisionId: string }[] = [];
    const decisionStart = Date.now();
    await pool(Math.ceil(adsNeeded / ADS_PER_DECISION), DECISION_CONCURRENCY, async (i) => {
      const r = await ok(api(base, client, 'POST', '/v1/decisions', { slotId: 'bench-feed', userId: `listener-${i}`, platform: i % 2 ? 'ios' : 'android', count: ADS_PER_DECISION }));
      for (const ad of r.ads as { decisionId: string; trackingUrls: Record<(typeof TYPES)[number], string> }[]) {
        const byType = Object.fromEntries(TYPES.map((type) => [type, new URL(ad.trackingUrls[type]).searchParams.get('t')!])) as Record<(typeof TYPES)[number], string>;
        tokens.push({ tokens: byType, decisionId: ad.decisionId });
      }
    });
    log(`${tokens.length} ads served by ${Math.ceil(adsNeeded / ADS_PER_DECISION)} decisions in ${((Date.now() - decisionStart) / 1000).toFixed(1)} s`);

    const events = shuffle(
      tokens.flatMap(({ tokens: byType, decisionId }) => TYPES.map((type) => ({ type, token: byType[type], decisionId }))),
      20261128,
    ).slice(0, EVENTS);
    const unique = events.length;
    // 1% replays, sent again later in the stream.
    const replays = events.filter((_, i) => i % 100 === 7);
    const stream = events.map(({ type, token }) => ({ type, token }));
    replays.forEach((e, i) => stream.splice(Math.min(stream.length, (i + 1) * 100 + 250), 0, { type: e.type, token: e.token }));

    const sendStart = Date.now();
    let failed = 0;
    await pool(Math.ceil(stream.length / BATCH), EVENT_CONCURRENCY, async (b) => {
      const batch = stream.slice(b * BATCH, (b + 1) * BATCH);
      for (;;) {
        const r = await api(base, client, 'POST', '/v1/events', { events: batch });
        if (r.status === 202 && r.body.accepted === batch.length) return;
        failed++;
        if (failed > 100) throw new Error(`events refused: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        await sleep(200);
      }
    });
    const sendSeconds = (Date.now() - sendStart) / 1000;
    log(`sent ${stream.length} events (${unique} distinct) in ${sendSeconds.toFixed(1)} s`);

    // Wait for the worker: until everything is stored, or no progress for 60 s.
    let stored = 0;
    let lastProgress = Date.now();
    while (stored < unique && Date.now() - lastProgress < 60_000) {
      await sleep(250);
      const n = Number((await db.query('SELECT count(*) AS n FROM events')).rows[0].n);
      if (n > stored) lastProgress = Date.now();
      stored = n;
    }
    await sleep(1500); // let the last counters settle (they commit with the events; this is only for the printout)

    const [facts] = (
      await db.query(`
        SELECT count(*)::int AS rows,
               count(DISTINCT (decision_id, type))::int AS distinct_keys,
               (extract(epoch from max(stored_at) - min(received_at)) * 1000)::float8 AS span_ms,
               (percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch from stored_at - received_at) * 1000))::float8 AS lag_p99_ms
        FROM events`)
    ).rows;
    const [counted] = (await db.query('SELECT coalesce(sum(impressions + clicks + conversions + skips), 0)::int AS n FROM stats_minute')).rows;
    // Every (decision, type) sent must be stored: compare the distinct keys sent with the stored ones.
    const sentKeys = new Set(events.map((e) => `${e.decisionId}|${e.type}`));
    const storedKeys = new Set((await db.query(`SELECT decision_id::text || '|' || type AS k FROM events`)).rows.map((r) => r.k as string));
    let lost = 0;
    for (const k of sentKeys) if (!storedKeys.has(k)) lost++;
    const duplicated = facts.rows - facts.distinct_keys + Math.max(0, counted.n - facts.distinct_keys) + Math.max(0, storedKeys.size - sentKeys.size);
    const processedPerS = facts.rows / Math.max(0.001, facts.span_ms / 1000);
    log(`stored ${facts.rows} rows, counters count ${counted.n}, ${failed} batches retried`);
    process.stdout.write(
      `events-bench: events=${unique} accepted_per_s=${Math.round(stream.length / sendSeconds)} processed_per_s=${Math.round(processedPerS)} lost=${lost} duplicated=${duplicated} lag_p99_ms=${Math.round(facts.lag_p99_ms)}\n`,
    );
  } finally {
    await db.end().catch(() => undefined);
    await stack.close();
  }
}

main().catch((error) => {
  process.stderr.write(`events-bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
