import { createRng } from '../../src/engine/util/rng';
import { branchOf, CAMPAIGN_MODELS, slotKeyOf, STRATEGIES, FTRL_MODEL, type StrategyName } from './strategies';
import { createListeners, createRequestStream, hiddenCtr, oraclePick, profileOf, SIM_CAMPAIGNS, type SimRequest } from './world';

export interface SimOptions {
  /** API base URL and an admin key. */
  url: string;
  adminKey: string;
  /** Stop after this many requests (each sent to every strategy), or after durationMs, whichever comes first. */
  maxRequests: number;
  durationMs: number;
  /** Requests per second (each fanned out to every strategy); 0 = as fast as the API answers. */
  ratePerS: number;
  listeners: number;
  seed: number;
  strategies: readonly StrategyName[];
  /** Fraction of the run after which DRIFT applies. */
  driftAt: number;
  bucketMs: number;
  concurrency: number;
  log: (line: string) => void;
}

export interface StrategyTotals {
  impressions: number;
  clicks: number;
  expectedClicks: number;
  fallbacks: number;
  /** Why decisions fell back to priority (reason with model ids and numbers masked → count). */
  fallbackReasons: Record<string, number>;
  noAd: number;
}

export interface Bucket {
  startMs: number;
  requests: number;
  oracleClicks: number;
  oracleExpected: number;
  byStrategy: Record<string, { impressions: number; clicks: number; expected: number }>;
  /** Bandit arm shares in this bucket. */
  arms: Record<string, number>;
}

export interface SimResult {
  requests: number;
  impressions: number;
  eventsAccepted: number;
  eventsRejected: number;
  totals: Record<string, StrategyTotals>;
  oracle: { clicks: number; expected: number; requests: number };
  buckets: Bucket[];
  driftAtRequest: number | null;
  modelVersions: { before: Record<string, number | null>; after: Record<string, number | null> };
  /** What the learners saw: the FTRL model's latest metrics, and modeling runs by status (first error, if any). */
  learners: { ftrl: Record<string, unknown> | null; modelingRuns: Record<string, number>; firstModelingError: string | null };
  elapsedMs: number;
}

async function call(base: string, method: string, path: string, key: string, body?: unknown, raw?: { text: string; type: string }): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  let payload: string | undefined;
  if (raw) {
    headers['content-type'] = raw.type;
    payload = raw.text;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(`${base}${path}`, { method, headers, body: payload });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: response.status, body: parsed };
}

async function must(promise: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const r = await promise;
  if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body;
}

async function activeVersion(url: string, key: string, modelId: string): Promise<number | null> {
  const r = await call(url, 'GET', `/v1/models/${encodeURIComponent(modelId)}`, key);
  if (r.status !== 200) return null;
  return typeof r.body.activeVersion === 'number' ? r.body.activeVersion : null;
}

/** Creates (or reuses) the world's profiles, campaigns, one slot per strategy with its policy, and a slot-client key. */
export async function setUpWorld(options: SimOptions): Promise<{ clientKey: string; campaignIdByName: Map<string, string> }> {
  const { url, adminKey: key } = options;
  const listeners = createListeners(options.listeners, options.seed);
  await must(call(url, 'POST', '/v1/profiles/import', key, undefined, { text: listeners.map((l) => JSON.stringify(profileOf(l))).join('\n') + '\n', type: 'application/x-ndjson' }), 'profile import');

  const slotIds = new Map<StrategyName, string>();
  for (const strategy of options.strategies) {
    const existing = await call(url, 'GET', `/v1/slots/${slotKeyOf(strategy)}`, key);
    const slot =
      existing.status === 200
        ? existing.body
        : await must(call(url, 'POST', '/v1/slots', key, { key: slotKeyOf(strategy), name: `Simulator: ${strategy}`, format: 'feed', platforms: ['android', 'ios', 'pc'], maxAdsPerResponse: 1, adLoadCap: null }), `slot ${strategy}`);
    slotIds.set(strategy, slot.id);
  }

  const listed = await must(call(url, 'GET', '/v1/campaigns?pageSize=500', key), 'campaign list');
  const byName = new Map<string, string>((listed.items ?? []).map((c: { name: string; id: string }) => [c.name, c.id]));
  const slotKeys = options.strategies.map(slotKeyOf);
  for (const c of SIM_CAMPAIGNS) {
    if (byName.has(c.name)) continue;
    const created = await must(
      call(url, 'POST', '/v1/campaigns', key, {
        name: c.name,
        category: c.category,
        priority: c.priority,
        platforms: ['android', 'ios', 'pc'],
        slots: slotKeys,
        schedule: { startAt: '2026-01-01T00:00:00Z', endAt: null, timeZone: 'Asia/Shanghai' },
        tags: { genres: c.genres, artists: c.artists, languages: c.languages },
        suppressOnConversion: false,
        explorationBudget: 200,
      }),
      `campaign ${c.name}`,
    );
    await must(call(url, 'POST', `/v1/campaigns/${created.id}/creatives`, key, { type: 'image', formats: ['feed'], title: c.name, landingUrl: 'https://music.example.com/sim', assetUrl: null, weight: 1 }), 'creative');
    await must(callIfMatch(url, created.id, key), 'activate');
    byName.set(c.name, created.id);
  }
  const campaignIds = SIM_CAMPAIGNS.map((c) => byName.get(c.name)!);
  for (const strategy of options.strategies) {
    const branch = branchOf(strategy);
    const current = await call(url, 'GET', `/v1/slots/${slotKeyOf(strategy)}/policy`, key);
    const headers: Record<string, string> = current.status === 200 ? { 'if-match': `"${current.body.version}"` } : {};
    const response = await fetch(`${url}/v1/slots/${slotKeyOf(strategy)}/policy`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ branches: [{ ...branch, campaignIds }] }),
    });
    if (response.status >= 300) throw new Error(`policy ${strategy}: HTTP ${response.status} ${await response.text()}`);
  }
  const clientKey = (await must(call(url, 'POST', '/v1/api-keys', key, { name: `simulator ${Date.now()}`, role: 'slot-client' }), 'slot-client key')).key as string;
  // The snapshot reloads on the config change: wait until every strategy's slot serves.
  const deadline = Date.now() + 30_000;
  for (const strategy of options.strategies) {
    for (;;) {
      const r = await call(url, 'POST', '/v1/decisions', clientKey, { slotId: slotKeyOf(strategy), userId: listeners[0].userId, platform: 'android' });
      if (r.status === 200 && r.body.ads.length > 0 && r.body.ads[0].campaignName?.startsWith('sim: ')) break;
      if (Date.now() > deadline) throw new Error(`slot ${slotKeyOf(strategy)} does not serve: ${JSON.stringify(r.body).slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { clientKey, campaignIdByName: byName };
}

async function callIfMatch(url: string, id: string, key: string) {
  const r = await fetch(`${url}/v1/campaigns/${id}/status`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'if-match': '*' },
    body: JSON.stringify({ status: 'active' }),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

/** Drives decisions → impressions → clicks (drawn from the hidden CTR) through the HTTP API. */
export async function runSimulation(options: SimOptions): Promise<SimResult> {
  const started = Date.now();
  const { url } = options;
  const modelIds = [FTRL_MODEL];
  const before: Record<string, number | null> = {};
  for (const id of modelIds) before[id] = await activeVersion(url, options.adminKey, id);
  const { clientKey } = await setUpWorld(options);
  options.log(`simulate: world ready (${options.listeners} listeners, ${SIM_CAMPAIGNS.length} campaigns, strategies ${options.strategies.join(', ')})`);

  const listeners = createListeners(options.listeners, options.seed);
  const next = createRequestStream(listeners, options.seed);
  const campaignByName = new Map(SIM_CAMPAIGNS.map((c) => [c.name, c]));
  const totals: Record<string, StrategyTotals> = {};
  for (const s of options.strategies) totals[s] = { impressions: 0, clicks: 0, expectedClicks: 0, fallbacks: 0, fallbackReasons: {}, noAd: 0 };
  const oracle = { clicks: 0, expected: 0, requests: 0 };
  const buckets: Bucket[] = [];
  let pending: { type: 'impression' | 'click'; token: string }[] = [];
  let eventsAccepted = 0;
  let eventsRejected = 0;
  let flushing: Promise<void> = Promise.resolve();
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return flushing;
    flushing = flushing.then(async () => {
      for (let i = 0; i < batch.length; i += 500) {
        const r = await call(url, 'POST', '/v1/events', clientKey, { events: batch.slice(i, i + 500) });
        eventsAccepted += r.body?.accepted ?? 0;
        eventsRejected += r.body?.rejected?.length ?? 0;
      }
    });
    return flushing;
  };

  let driftAtRequest: number | null = null;
  let issued = 0;
  const deadline = started + options.durationMs;
  const bucketOf = (nowMs: number): Bucket => {
    const startMs = nowMs - ((nowMs - started) % options.bucketMs);
    let bucket = buckets[buckets.length - 1];
    if (!bucket || bucket.startMs !== startMs) {
      bucket = { startMs, requests: 0, oracleClicks: 0, oracleExpected: 0, byStrategy: {}, arms: {} };
      for (const s of options.strategies) bucket.byStrategy[s] = { impressions: 0, clicks: 0, expected: 0 };
      buckets.push(bucket);
    }
    return bucket;
  };

  const handle = async (index: number, request: SimRequest, isDrifted: boolean): Promise<void> => {
    const bucket = bucketOf(Date.now());
    bucket.requests++;
    const best = oraclePick(request, SIM_CAMPAIGNS, isDrifted);
    const oracleRng = createRng((options.seed * 31 + index * 7919) >>> 0);
    oracle.requests++;
    oracle.expected += best.ctr;
    bucket.oracleExpected += best.ctr;
    if (oracleRng.next() < best.ctr) {
      oracle.clicks++;
      bucket.oracleClicks++;
    }
    await Promise.all(
      options.strategies.map(async (strategy, s) => {
        const r = await call(url, 'POST', '/v1/decisions', clientKey, {
          slotId: slotKeyOf(strategy),
          userId: request.listener.userId,
          platform: request.listener.platform,
          context: { ...request.context },
        });
        if (r.status !== 200) throw new Error(`decision on ${slotKeyOf(strategy)}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        const t = totals[strategy];
        if (r.body.fallback) {
          t.fallbacks++;
          const reason = String(r.body.fallback.reason ?? '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>').replace(/\d+(\.\d+)?/g, 'N');
          t.fallbackReasons[reason] = (t.fallbackReasons[reason] ?? 0) + 1;
        }
        const ad = r.body.ads[0];
        if (!ad) {
          t.noAd++;
          return;
        }
        const campaign = campaignByName.get(ad.campaignName);
        const token = new URL(ad.trackingUrls.impression).searchParams.get('t')!;
        const p = campaign ? hiddenCtr(request.listener, campaign, request.context, isDrifted) : 0;
        const clickRng = createRng((options.seed * 131 + index * 7919 + (s + 1) * 104_729) >>> 0);
        const isClick = clickRng.next() < p;
        t.impressions++;
        t.expectedClicks += p;
        const b = bucket.byStrategy[strategy];
        b.impressions++;
        b.expected += p;
        pending.push({ type: 'impression', token });
        if (isClick) {
          t.clicks++;
          b.clicks++;
          pending.push({ type: 'click', token: new URL(ad.trackingUrls.click).searchParams.get('t')! });
        }
        if (strategy === 'bandit') {
          const arm = ad.arm ?? 'none';
          bucket.arms[arm] = (bucket.arms[arm] ?? 0) + 1;
        }
      }),
    );
    if (pending.length >= 500) void flush();
  };

  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;
  let lastLog = started;
  while (issued < options.maxRequests && Date.now() < deadline && failure === null) {
    if (options.ratePerS > 0) {
      const dueMs = started + (issued / options.ratePerS) * 1000;
      const waitMs = dueMs - Date.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    const elapsedFraction = Math.max(issued / options.maxRequests, (Date.now() - started) / options.durationMs);
    if (driftAtRequest === null && elapsedFraction >= options.driftAt) {
      driftAtRequest = issued;
      options.log(`simulate: drift injected at request ${issued}`);
    }
    const request = next();
    const task = handle(issued, request, driftAtRequest !== null).catch((error) => {
      failure = error;
    });
    issued++;
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      const ctrs = Object.entries(totals).map(([s, t]) => `${s}=${ctrOf(t).toFixed(3)}${t.fallbacks ? `(${t.fallbacks} fallbacks)` : ''}`).join(' ');
      options.log(`simulate: ${issued} requests, ${Object.values(totals).reduce((s, t) => s + t.impressions, 0)} impressions; ctr ${ctrs} oracle=${(oracle.clicks / Math.max(1, oracle.requests)).toFixed(3)}`);
    }
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  await flush();
  await flushing;

  const after: Record<string, number | null> = {};
  for (const id of modelIds) after[id] = await activeVersion(url, options.adminKey, id);
  const learners = await learnerStatus(url, options.adminKey);
  return {
    requests: issued,
    impressions: Object.values(totals).reduce((s, t) => s + t.impressions, 0),
    eventsAccepted,
    eventsRejected,
    totals,
    oracle,
    buckets,
    driftAtRequest,
    modelVersions: { before, after },
    learners,
    elapsedMs: Date.now() - started,
  };
}

async function learnerStatus(url: string, key: string): Promise<SimResult['learners']> {
  const ftrl = await call(url, 'GET', `/v1/models/${FTRL_MODEL}`, key);
  const runs = await call(url, 'GET', '/v1/modeling/runs?limit=500', key);
  const items: { status: string; error?: string | null }[] = runs.status === 200 ? (runs.body.runs ?? []) : [];
  const modelingRuns: Record<string, number> = {};
  for (const run of items) modelingRuns[run.status] = (modelingRuns[run.status] ?? 0) + 1;
  return {
    ftrl: ftrl.status === 200 ? (ftrl.body.versions?.[0]?.metrics ?? null) : null,
    modelingRuns,
    firstModelingError: items.find((r) => r.error)?.error ?? null,
  };
}

export function ctrOf(t: { impressions: number; clicks: number } | undefined): number {
  return t && t.impressions > 0 ? t.clicks / t.impressions : 0;
}

/** The required last line. best = the best learned strategy (model, gbdt, bandit). */
export function summaryLine(result: SimResult): string {
  const ctr = (s: string) => ctrOf(result.totals[s]);
  const oracleCtr = result.oracle.requests > 0 ? result.oracle.clicks / result.oracle.requests : 0;
  const learned = ['model', 'gbdt', 'bandit'].filter((s) => result.totals[s]);
  const best = learned.length ? Math.max(...learned.map(ctr)) : 0;
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(3) : 'n/a');
  return (
    `simulate: impressions=${result.impressions} ctr_random=${ctr('random').toFixed(4)} ctr_priority=${ctr('priority').toFixed(4)} ` +
    `ctr_model=${ctr('model').toFixed(4)} ctr_bandit=${ctr('bandit').toFixed(4)} ctr_oracle=${oracleCtr.toFixed(4)} ` +
    `best_vs_priority=${ratio(best, ctr('priority'))} best_vs_oracle=${ratio(best, oracleCtr)}`
  );
}

export { CAMPAIGN_MODELS, STRATEGIES };
