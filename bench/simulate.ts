import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { startApi, type RunningApi } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { startProductionStack, type ProductionStack } from './lib/production';
import { renderPng, toCsv, toHtml, writeText } from './sim/report';
import { runSimulation, summaryLine } from './sim/runner';
import { SIM_ENV, STRATEGIES, type StrategyName } from './sim/strategies';

const USAGE =
  'usage: npm run simulate -- [--minutes N] [--requests N] [--strategy all|random,priority,model,gbdt,bandit] [--rate R] [--listeners N] [--seed S] ' +
  '[--mode embedded|production | --url http://host:port --admin-key KEY] [--out DIR]\n' +
  '  --mode embedded (default): an in-process app (PGlite); --mode production: API + one worker against TEST_DATABASE_URL / TEST_REDIS_URL\n' +
  '  (default the local PostgreSQL and Redis) in a fresh database; --url: a running MusicBoss (start it with ' +
  Object.entries(SIM_ENV).map(([k, v]) => `${k}=${v}`).join(' ') +
  ' so labels close and the bandit reweights within a run of minutes)';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const minutes = Number(arg(args, 'minutes') ?? 5);
  const maxRequests = Number(arg(args, 'requests') ?? Number.MAX_SAFE_INTEGER);
  const ratePerS = Number(arg(args, 'rate') ?? 0);
  const strategyArg = arg(args, 'strategy') ?? 'all';
  const strategies = (strategyArg === 'all' ? STRATEGIES : strategyArg.split(',')) as StrategyName[];
  if (!Number.isFinite(minutes) || minutes <= 0 || strategies.some((s) => !STRATEGIES.includes(s))) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const seed = Number(arg(args, 'seed') ?? 42);
  const outDir = resolve(arg(args, 'out') ?? join(__dirname, '..', '..', 'bench', 'out', 'simulate'));
  mkdirSync(outDir, { recursive: true });

  let url = arg(args, 'url');
  let adminKey = arg(args, 'admin-key') ?? '';
  const mode = url ? 'url' : (arg(args, 'mode') ?? 'embedded');
  let api: RunningApi | null = null;
  let stack: ProductionStack | null = null;
  let dataDir: string | null = null;
  if (mode === 'embedded') {
    dataDir = mkdtempSync(join(tmpdir(), 'musicboss-sim-'));
    adminKey = `mb_${randomBytes(24).toString('base64url')}`;
    const loaded = loadConfig({ ...SIM_ENV, MUSICBOSS_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', MUSICBOSS_BOOTSTRAP_ADMIN_KEY: adminKey, MUSICBOSS_DEMO: 'false', MUSICBOSS_RATE_LIMIT_PER_MINUTE: '100000' });
    if (loaded.kind === 'error') throw new Error(loaded.message);
    api = await startApi(loaded.config, 'all');
    url = api.url;
    process.stdout.write(`simulate: embedded app at ${url} (data in ${dataDir})\n`);
  } else if (mode === 'production') {
    stack = await startProductionStack('mbsim', { ...SIM_ENV }, (line) => process.stdout.write(`${line}\n`));
    url = stack.url;
    adminKey = stack.adminKey;
    process.stdout.write(`simulate: production-mode API + worker at ${url} (PostgreSQL + Redis)\n`);
  } else if (mode !== 'url') {
    process.stderr.write(`--mode must be embedded or production\n${USAGE}\n`);
    return 2;
  } else if (!adminKey) {
    process.stderr.write(`--url needs --admin-key (an admin or operator key)\n${USAGE}\n`);
    return 2;
  }
  if (!url) throw new Error('no API URL');

  try {
    const result = await runSimulation({
      url,
      adminKey,
      maxRequests,
      durationMs: minutes * 60_000,
      ratePerS,
      listeners: Number(arg(args, 'listeners') ?? 5000),
      seed,
      strategies,
      driftAt: 0.5,
      bucketMs: Math.max(5_000, Math.round((minutes * 60_000) / 40)),
      concurrency: 8,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const line = summaryLine(result);
    const csvPath = join(outDir, 'simulate.csv');
    const htmlPath = join(outDir, 'simulate.html');
    const pngPath = join(outDir, 'simulate.png');
    writeText(csvPath, toCsv(result));
    const meta = {
      machine: `${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      mode: mode === 'url' ? `--url ${url}` : mode,
      requests: String(result.requests),
      seconds: (result.elapsedMs / 1000).toFixed(0),
      seed: String(seed),
    };
    writeText(htmlPath, toHtml(result, line, meta));
    const skipped = await renderPng(htmlPath, pngPath).catch((error) => `PNG failed: ${error instanceof Error ? error.message : String(error)}`);
    process.stdout.write(`simulate: wrote ${csvPath}, ${htmlPath}${skipped ? ` (${skipped})` : `, ${pngPath}`}\n`);
    process.stdout.write(
      `simulate: events accepted=${result.eventsAccepted} rejected=${result.eventsRejected}; model versions ${JSON.stringify(result.modelVersions)}; fallbacks ${JSON.stringify(Object.fromEntries(Object.entries(result.totals).map(([s, t]) => [s, t.fallbackReasons])))}\n`,
    );
    process.stdout.write(`simulate: learners ${JSON.stringify(result.learners)}\n`);
    process.stdout.write(`${line}\n`);
    return 0;
  } finally {
    await api?.close();
    await stack?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`simulate failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
