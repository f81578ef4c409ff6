/**
 * npm run bench:decision — POST /v1/decisions throughput and latency of MusicBoss in production
 * mode (local PostgreSQL + Redis) against a bare Fastify server answering a canned JSON body,
 * loaded in the same run by the same settings. Setup through the real API: BENCH_USERS (1,000,000)
 * listener profiles, 50 rule packages, 20 slots, 200 active campaigns with caps.
 * Two phases, each loading the bare server first, then MusicBoss:
 * - closed loop: 50 autocannon connections, in alternating rounds (BENCH_ROUNDS, default 2, of
 *   BENCH_DURATION_S / rounds seconds each), so that a slow or fast phase of a shared machine falls
 *   on both. Gives req/s, their ratio, and the CPU each server spends per request (cpu_quotient =
 *   API µs per decision ÷ bare µs per request). Its latency is 50 ÷ throughput by construction.
 * - open loop: BENCH_OPEN_RATE (1,500) requests a second for BENCH_OPEN_S (20) seconds, each due at
 *   its time whatever the earlier ones did, latency counted from then (no coordinated omission).
 *   BENCH_OPEN_S=0 skips it; BENCH_OPEN_WARMUP_S (3) of the same load go first, unmeasured.
 * Prints last: decision-bench: rps=… p50_ms=… p99_ms=… hello_rps=… ratio=… cpu_quotient=… open_rate=… open_p99_ms=… errors=…
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { openLoop, type OpenLoopResult } from './lib/open-loop';
import { commandCpuSeconds, machineCpuSeconds, measureCpu, measureSchedule } from './lib/process-cpu';
import { BENCH_REDIS_URL, freePort, NODE_FLAGS, startProductionStack, waitForHttp } from './lib/production';

const ROOT = join(__dirname, '..', '..');
const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
const ROUNDS = Math.max(1, Math.floor(Number(process.env.BENCH_ROUNDS ?? 2)));
const ROUND_S = DURATION_S / ROUNDS;
const CONNECTIONS = 50;
const OPEN_RATE = Number(process.env.BENCH_OPEN_RATE ?? 1500);
const OPEN_S = Number(process.env.BENCH_OPEN_S ?? 20);
const OPEN_WARMUP_S = Number(process.env.BENCH_OPEN_WARMUP_S ?? 3);
const SLOTS = 20;
const CAMPAIGNS = 200;
const PACKAGES = 50;
const REGIONS = ['north', 'south', 'east', 'west', 'central', 'northeast', 'northwest', 'southwest'];
const GENRES = ['pop', 'rock', 'mandopop', 'kpop', 'hiphop', 'classical', 'jazz', 'folk', 'edm', 'rnb'];

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function api(base: string, key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

function profileStream(count: number): Readable {
  let i = 0;
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  return new Readable({
    read() {
      const lines: string[] = [];
      for (let n = 0; n < 5000 && i < count; n++, i++) {
        lines.push(
          JSON.stringify({
            userId: `u${i}`,
            region: REGIONS[Math.floor(rnd() * REGIONS.length)],
            vipLevel: Math.floor(rnd() * rnd() * 8),
            gender: rnd() < 0.5 ? 'male' : 'female',
            genres: [GENRES[Math.floor(rnd() * GENRES.length)], GENRES[Math.floor(rnd() * GENRES.length)]],
            monthlyMinutes: Math.floor(rnd() * 3000),
          }),
        );
      }
      this.push(lines.length ? `${lines.join('\n')}\n` : null);
    },
  });
}

async function setUp(base: string, key: string): Promise<string[]> {
  let t = Date.now();
  const imported = await fetch(`${base}/v1/profiles/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    body: profileStream(USERS) as unknown as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (!imported.ok) throw new Error(`profile import: ${imported.status} ${await imported.text()}`);
  log(`# imported ${USERS} profiles in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  t = Date.now();
  for (let p = 0; p < PACKAGES; p++) {
    const rule = { and: [{ attr: 'region', in: [REGIONS[p % REGIONS.length]] }, { attr: 'vipLevel', range: { gte: p % 4 } }, { attr: 'genres', containsAny: [GENRES[p % GENRES.length]] }] };
    await api(base, key, 'POST', '/v1/packages', { key: `pkg-${p}`, name: `Package ${p}`, kind: 'rule', rule });
  }
  log(`# ${PACKAGES} rule packages in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  t = Date.now();
  const slotKeys: string[] = [];
  const formats = ['splash', 'banner', 'popup', 'audio', 'feed'];
  for (let s = 0; s < SLOTS; s++) {
    const key_ = `slot-${s}`;
    await api(base, key, 'POST', '/v1/slots', { key: key_, name: `Slot ${s}`, format: formats[s % formats.length], platforms: ['ios', 'android'], maxAdsPerResponse: 2, adLoadCap: { impressions: 20, window: 'hour' } });
    slotKeys.push(key_);
  }
  const bySlot = new Map<string, string[]>();
  for (let c = 0; c < CAMPAIGNS; c++) {
    const s = c % SLOTS;
    const created = await api(base, key, 'POST', '/v1/campaigns', {
      name: `Campaign ${c}`,
      category: ['digital_album', 'paid_package', 'membership', 'partner'][c % 4],
      priority: 1 + (c * 37) % 100,
      platforms: ['ios', 'android'],
      slots: [slotKeys[s]],
      schedule: { startAt: '2026-01-01T00:00:00Z', timeZone: 'Asia/Shanghai' },
      frequencyCaps: [{ impressions: 3, window: 'hour' }, { impressions: 10, window: 'day' }],
      explorationBudget: 0,
    });
    await api(base, key, 'POST', `/v1/campaigns/${created.id}/creatives`, { type: 'image', formats: [formats[s % formats.length]], title: `C${c}`, landingUrl: `https://example.com/${c}` });
    await api(base, key, 'POST', `/v1/campaigns/${created.id}/status`, { status: 'active' }, { 'if-match': `"${created.version}"` });
    bySlot.set(slotKeys[s], [...(bySlot.get(slotKeys[s]) ?? []), created.id]);
  }
  for (const [s, slotKey] of slotKeys.entries()) {
    const ids = bySlot.get(slotKey)!;
    await api(base, key, 'PUT', `/v1/slots/${slotKey}/policy`, {
      branches: [
        { name: 'targeted', audience: { and: [{ package: `pkg-${s % PACKAGES}` }, { not: { package: `pkg-${(s + 7) % PACKAGES}` } }] }, campaignIds: [ids[0]], method: 'designated' },
        { name: 'second', audience: { package: `pkg-${(s + 20) % PACKAGES}` }, campaignIds: ids.slice(1, 5), method: 'priority' },
        { name: 'everyone', audience: 'everyone', campaignIds: ids, method: 'priority' },
      ],
    });
  }
  log(`# ${SLOTS} slots, ${CAMPAIGNS} campaigns with caps, policies in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return slotKeys;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string>, makeBody: () => string, durationS: number): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: durationS,
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (req: any) => ({ ...req, body: makeBody() }) }],
  } as any);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/** An unlabelled sample of the API's Prometheus text: its value, or null. */
function metricValue(text: string, name: string): number | null {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

/** GC pauses by kind so far (count and seconds), from the API's nodejs_gc_duration_seconds histogram. */
function gcPauses(text: string): Map<string, { count: number; seconds: number }> {
  const out = new Map<string, { count: number; seconds: number }>();
  for (const m of text.matchAll(/^musicboss_nodejs_gc_duration_seconds_(count|sum)\{kind="(\w+)"\} (\S+)$/gm)) {
    const entry = out.get(m[2]) ?? { count: 0, seconds: 0 };
    if (m[1] === 'count') entry.count = Number(m[3]);
    else entry.seconds = Number(m[3]);
    out.set(m[2], entry);
  }
  return out;
}

/** Calls and total µs of EVALSHA so far, from INFO commandstats. */
function evalshaStats(info: string): { calls: number; usec: number } {
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(info);
  return { calls: Number(m?.[1] ?? 0), usec: Number(m?.[2] ?? 0) };
}

/** Seconds waited until, over one second, under `busyShare` of all cores were busy (or until timeoutS). */
async function waitForQuietMachine(busyShare: number, timeoutS: number): Promise<number> {
  const startedMs = Date.now();
  let before = machineCpuSeconds();
  while (before !== null && Date.now() - startedMs < timeoutS * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    const after = machineCpuSeconds();
    if (after === null) break;
    const share = (after.busyS - before.busyS) / (after.totalS - before.totalS);
    if (share < busyShare) break;
    before = after;
  }
  return (Date.now() - startedMs) / 1000;
}

async function main(): Promise<void> {
  const stack = await startProductionStack('mbbench', { MUSICBOSS_UPLOAD_LIMIT_BYTES: String(2 * 1024 * 1024 * 1024) }, log);
  const helloPort = await freePort();
  // The same Node flags as MusicBoss, so that only the server code differs.
  const hello = spawn(process.execPath, [...NODE_FLAGS, join(ROOT, 'dist', 'bench', 'lib', 'hello-server.js'), String(helloPort)], { stdio: 'ignore' });
  try {
    const base = stack.url;
    const adminKey = stack.adminKey;
    await waitForHttp(`http://127.0.0.1:${helloPort}/`, 30_000).catch(() => undefined);
    const slotKeys = await setUp(base, adminKey);
    const client = (await api(base, adminKey, 'POST', '/v1/api-keys', { name: 'bench', role: 'slot-client' })).key as string;
    // Let the snapshot and package membership settle, then warm up.
    await new Promise((r) => setTimeout(r, 3000));
    let n = 0;
    const body = () => JSON.stringify({ slotId: slotKeys[n % SLOTS], userId: `u${(n++ * 7919) % USERS}`, platform: 'ios', context: { hour: 21, network: 'wifi' } });
    // Setup can leave background work behind (package recomputes, index refreshes, PostgreSQL's
    // autovacuum of a million fresh profile rows); neither server is loaded until it is done.
    const quietS = await waitForQuietMachine(0.25, 90);
    log(`# waited ${quietS.toFixed(0)} s for the machine to go quiet after setup`);
    const probe = await api(base, client, 'POST', '/v1/decisions', JSON.parse(body()));
    log(`# probe decision: ${probe.ads.length} ads, branch ${probe.ads[0]?.branch ?? '-'}`);
    // Each round loads the bare server first, while the MusicBoss processes are idle (loaded second,
    // it would share the CPU with the worker still writing the decision log), then MusicBoss.
    // Everything below but the bare server's req/s is measured over the MusicBoss rounds only.
    const redis = new Redis(BENCH_REDIS_URL);
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
    const postgresCpu = commandCpuSeconds('postgres');
    const bareRounds: LoadResult[] = [];
    const rounds: LoadResult[] = [];
    const shareSums = new Map<string, number | null>();
    let bareShareSum: number | null = 0;
    const machine = { busyS: 0, totalS: 0, cores: 0, measured: false };
    const scripts = { calls: 0, usec: 0 };
    const gcSums = new Map<string, { count: number; seconds: number }>();
    const loop = { p50: [] as number[], p99: [] as number[], max: [] as number[] };
    const schedules = { api: [] as { running: number; waiting: number }[], bare: [] as { running: number; waiting: number }[] };
    const addSchedule = (into: { running: number; waiting: number }[], share: { running: number; waiting: number } | null) => share !== null && into.push(share);
    for (let round = 0; round < ROUNDS; round++) {
      // The worker finishes writing the previous MusicBoss round's decision log first.
      if (round > 0) await waitForQuietMachine(0.25, 30);
      const bareSchedule = hello.pid === undefined ? () => null : measureSchedule(hello.pid);
      const bareCpu = hello.pid === undefined ? () => ({ bare: null }) : measureCpu({ bare: hello.pid });
      bareRounds.push(await load(`http://127.0.0.1:${helloPort}/v1/decisions`, {}, body, ROUND_S));
      addSchedule(schedules.bare, bareSchedule());
      const bareShare = bareCpu().bare;
      bareShareSum = bareShare === null || bareShareSum === null ? null : bareShareSum + bareShare;
      const scriptsBefore = evalshaStats(await redis.info('commandstats'));
      const cpuShares = measureCpu({ api: stack.pids.api, worker: stack.pids.workers[0], redis: redisPid, postgres: postgresCpu, 'load generator': process.pid });
      const apiSchedule = measureSchedule(stack.pids.api);
      const machineBefore = machineCpuSeconds();
      // Reading the metrics resets the event-loop delay histogram, so the next read covers the round only.
      const gcBefore = gcPauses(await (await fetch(`${base}/metrics`)).text());
      const result = await load(`${base}/v1/decisions`, { authorization: `Bearer ${client}` }, body, ROUND_S);
      const metricsAfter = await (await fetch(`${base}/metrics`)).text();
      const shares = cpuShares();
      addSchedule(schedules.api, apiSchedule());
      const machineAfter = machineCpuSeconds();
      const scriptsAfter = evalshaStats(await redis.info('commandstats'));
      rounds.push(result);
      log(`# round ${round + 1}: bare Fastify ${bareRounds[round].rps.toFixed(0)} req/s, MusicBoss ${result.rps.toFixed(0)} req/s (p99 ${result.p99} ms)`);
      for (const [name, share] of Object.entries(shares)) {
        const sum = shareSums.get(name);
        shareSums.set(name, share === null || sum === null ? null : (sum ?? 0) + share);
      }
      if (machineBefore && machineAfter) {
        machine.busyS += machineAfter.busyS - machineBefore.busyS;
        machine.totalS += machineAfter.totalS - machineBefore.totalS;
        machine.cores = machineAfter.cores;
        machine.measured = true;
      }
      scripts.calls += scriptsAfter.calls - scriptsBefore.calls;
      scripts.usec += scriptsAfter.usec - scriptsBefore.usec;
      for (const [kind, after] of gcPauses(metricsAfter)) {
        const before = gcBefore.get(kind) ?? { count: 0, seconds: 0 };
        const sum = gcSums.get(kind) ?? { count: 0, seconds: 0 };
        gcSums.set(kind, { count: sum.count + after.count - before.count, seconds: sum.seconds + after.seconds - before.seconds });
      }
      for (const key of ['p50', 'p99', 'max'] as const) {
        const v = metricValue(metricsAfter, `musicboss_nodejs_eventloop_lag_${key}_seconds`);
        if (v !== null) loop[key].push(v * 1000);
      }
    }
    redis.disconnect();
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
    // Rounds last equally long: req/s, CPU shares and p50s average over them; the p99 is the worst
    // round's (percentiles of separate runs do not combine exactly; this errs on the slow side).
    const musicboss = { rps: mean(rounds.map((r) => r.rps)), p50: Math.round(mean(rounds.map((r) => r.p50))), p99: Math.max(...rounds.map((r) => r.p99)), errors: rounds.reduce((a, r) => a + r.errors, 0) };
    const bare = { rps: mean(bareRounds.map((r) => r.rps)) };
    const shares = Object.fromEntries([...shareSums].map(([name, sum]) => [name, sum === null ? null : sum / ROUNDS]));
    log(`# CPU during the MusicBoss load, share of one core: ${Object.entries(shares).map(([name, share]) => `${name} ${share === null ? '?' : `${Math.round(share * 100)}%`}`).join(', ')}`);
    // Steadier than req/s from run to run on a shared machine: what one decision costs the API process.
    if (shares.api !== null && musicboss.rps > 0) log(`# API process: ${((shares.api * 1e6) / musicboss.rps).toFixed(0)} µs of CPU per decision`);
    // Both servers keep about one core busy, so the req/s ratio is about the inverse of their CPU
    // per request: this says what the ratio is made of (the kernel's share of a bare request
    // varies with the phase of the machine, so the quotient moves with it too).
    let cpuQuotient: number | null = null;
    if (shares.api !== null && musicboss.rps > 0 && bareShareSum !== null && bare.rps > 0) {
      const bareUs = ((bareShareSum / ROUNDS) * 1e6) / bare.rps;
      const apiUs = (shares.api * 1e6) / musicboss.rps;
      cpuQuotient = apiUs / bareUs;
      log(`# CPU per request: bare Fastify ${bareUs.toFixed(0)} µs, the MusicBoss API ${apiUs.toFixed(0)} µs per decision, ${cpuQuotient.toFixed(2)}× (a ratio of 0.25 needs at most about 4×)`);
    }
    // Where the latency tail comes from: the API's event loop stalls (timers, GC, long synchronous work).
    const ms = (xs: number[], pick: (xs: number[]) => number) => (xs.length === 0 ? '?' : pick(xs).toFixed(1));
    const gc = [...gcSums].map(([kind, { count, seconds }]) => `${kind} ${count} (${count > 0 ? ((seconds * 1000) / count).toFixed(2) : '-'} ms each)`);
    log(`# API event loop during the load: delay p50 ${ms(loop.p50, mean)} ms, p99 ${ms(loop.p99, (xs) => Math.max(...xs))} ms, max ${ms(loop.max, (xs) => Math.max(...xs))} ms; GC pauses: ${gc.join(', ')}`);
    if (schedules.api.length > 0 && schedules.bare.length > 0) {
      // A saturated server's event loop always has work: wall time it neither ran nor waited for a
      // core is time it waited on I/O (for the API, on Redis).
      const pct = (xs: { running: number; waiting: number }[], pick: 'running' | 'waiting') => `${Math.round(100 * mean(xs.map((x) => x[pick])))}%`;
      log(
        `# Main thread during its load, share of the wall time: API running ${pct(schedules.api, 'running')}, waiting for a core ${pct(schedules.api, 'waiting')}; ` +
          `bare Fastify running ${pct(schedules.bare, 'running')}, waiting for a core ${pct(schedules.bare, 'waiting')}`,
      );
    }
    if (machine.measured) {
      // The machine's ceiling for this workload: every decision costs CPU in the API, Redis, the
      // worker, PostgreSQL and the load generator, and they all share the same cores.
      const elapsedS = machine.totalS / machine.cores;
      const decisions = musicboss.rps * DURATION_S;
      const cpuUsPerDecision = decisions > 0 ? (machine.busyS * 1e6) / decisions : 0;
      log(
        `# Machine during the MusicBoss load: ${Math.round((100 * machine.busyS) / (elapsedS * machine.cores))}% of ${machine.cores} cores busy, ` +
          `${cpuUsPerDecision.toFixed(0)} µs of CPU per decision over all processes, so at most ~${cpuUsPerDecision > 0 ? Math.round((machine.cores * 1e6) / cpuUsPerDecision) : '-'} decisions/s with every core busy`,
      );
    }
    log(`# Redis: ${scripts.calls} EVALSHA calls (reserve scripts, and BullMQ's), ${scripts.calls > 0 ? (scripts.usec / scripts.calls).toFixed(1) : '-'} µs each`);
    log(`# MusicBoss ${musicboss.rps.toFixed(0)} req/s p50 ${musicboss.p50} ms p99 ${musicboss.p99} ms; bare Fastify ${bare.rps.toFixed(0)} req/s; ${USERS} users, ${SLOTS} slots, ${CAMPAIGNS} campaigns, ${PACKAGES} packages, ${CONNECTIONS} connections, ${DURATION_S} s each in ${ROUNDS} alternating round(s)`);

    let open: OpenLoopResult | null = null;
    if (OPEN_S > 0) {
      const phase = async (name: string, url: string, headers: Record<string, string>, pid: number | undefined) => {
        await waitForQuietMachine(0.25, 30);
        const load = (durationS: number) => openLoop({ url, headers: { 'content-type': 'application/json', ...headers }, body, ratePerS: OPEN_RATE, durationS });
        // Unmeasured first: connections opened and the code paths of this rate warmed.
        if (OPEN_WARMUP_S > 0) await load(OPEN_WARMUP_S);
        const cpu = pid === undefined ? () => ({ server: null }) : measureCpu({ server: pid });
        const generatorBefore = process.cpuUsage();
        const machineBefore = machineCpuSeconds();
        const result = await load(OPEN_S);
        const share = cpu().server;
        const generator = process.cpuUsage(generatorBefore);
        const machineAfter = machineCpuSeconds();
        const serverUs = share === null || result.answeredPerS === 0 ? '?' : ((share * 1e6) / result.answeredPerS).toFixed(0);
        const generatorUs = (((generator.user + generator.system) / result.sent) | 0).toFixed(0);
        const busy = machineBefore && machineAfter ? `${Math.round((100 * (machineAfter.busyS - machineBefore.busyS)) / (machineAfter.totalS - machineBefore.totalS))}%` : '?';
        log(
          `# open loop, ${name}: ${result.sent} requests at ${OPEN_RATE}/s, answered ${result.answeredPerS.toFixed(0)}/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, max ${result.maxMs.toFixed(1)} ms, errors ${result.errors}; ` +
            `CPU per request: server ${serverUs} µs, load generator ${generatorUs} µs; machine ${busy} busy`,
        );
        return result;
      };
      await phase('bare Fastify', `http://127.0.0.1:${helloPort}/v1/decisions`, {}, hello.pid);
      open = await phase('MusicBoss', `${base}/v1/decisions`, { authorization: `Bearer ${client}` }, stack.pids.api);
    }
    const errors = musicboss.errors + (open?.errors ?? 0);
    log(
      `decision-bench: rps=${musicboss.rps.toFixed(0)} p50_ms=${musicboss.p50} p99_ms=${musicboss.p99} hello_rps=${bare.rps.toFixed(0)} ratio=${(musicboss.rps / bare.rps).toFixed(3)} ` +
        `cpu_quotient=${cpuQuotient === null ? '?' : cpuQuotient.toFixed(2)} open_rate=${OPEN_RATE} open_p99_ms=${open ? open.p99Ms.toFixed(1) : 'skipped'} errors=${errors}`,
    );
  } finally {
    hello.kill('SIGKILL');
    await stack.close();
  }
}

main().catch((error) => {
  process.stderr.write(`decision bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
