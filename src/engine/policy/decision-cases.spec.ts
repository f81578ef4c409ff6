import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryCounterStore } from '../caps/in-memory-counter-store';
import { createRng } from '../util/rng';
import { decide, type DecideResult, type ModelAnswer, type Scorer } from './decide';
import type { ArmWeight, DecisionRequest } from './select-branch';
import { buildDecisionSnapshot, type Branch, type Campaign, type Creative, type Slot } from './snapshot';

// Runs every golden case of cases/decision-cases.json through decide(); the file's "about" says how to read one.

type Json = Record<string, unknown>;

interface DecisionCase {
  readonly name: string;
  readonly snapshot: { readonly slots?: Json[]; readonly campaigns: (Json & { creatives?: Json[] })[]; readonly policies: (Json & { branches: Json[] })[]; readonly adLoadTimeZone?: string };
  readonly request?: Json;
  readonly membership?: string[];
  readonly counters?: Record<string, number>;
  readonly models?: Record<string, { version: string; scores: Record<string, number> }>;
  readonly armWeights?: Record<string, ArmWeight[]>;
  readonly explorationShare?: number;
  readonly explorationRemaining?: Record<string, number>;
  readonly goalProgressToday?: Record<string, number>;
  readonly now?: string;
  readonly nowMs?: number;
  readonly seed?: number;
  readonly expected: Json & { kind: string; ads?: Json[]; counters?: Record<string, number | null> };
}

interface CaseFile {
  readonly defaults: { slot: Json; campaign: Json; creative: Json; branch: Json; request: Json; now: string; nowMs: number; seed: number };
  readonly cases: DecisionCase[];
}

const FILE = JSON.parse(readFileSync(join(__dirname, 'cases', 'decision-cases.json'), 'utf8')) as CaseFile;
const { defaults } = FILE;

/** defaults with the given fields on top; a field the defaults lack is a typo in the case. */
function withDefaults<T>(base: Json, given: Json, what: string): T {
  for (const key of Object.keys(given)) if (!(key in base)) throw new Error(`${what}: unknown field ${key}`);
  return { ...base, ...given } as T;
}

function campaignOf(given: Json & { creatives?: Json[] }): Campaign {
  const id = given.id as string;
  const creatives = (given.creatives ?? [{}]).map((c, i) => withDefaults<Creative>({ id: `${id}-cr${i + 1}`, campaignId: id, ...defaults.creative }, c, `creative of ${id}`));
  return withDefaults<Campaign>({ id, name: id, creatives: [], ...defaults.campaign }, { ...given, creatives }, `campaign ${id}`);
}

function scorerOf(models: DecisionCase['models'] = {}): Scorer {
  return {
    score(modelId): ModelAnswer {
      const model = models[modelId];
      if (model === undefined) return { scores: { kind: 'unavailable', reason: `model ${modelId} is not available` }, version: null, explain: null };
      return { scores: new Map(Object.entries(model.scores)), version: model.version, explain: null };
    },
  };
}

/** Probabilities to 12 decimals: the file writes 0.9, the engine computes (1 − 0.1) · 1. */
const rounded = (p: number) => Math.round(p * 1e12) / 1e12;

function observed(result: DecideResult): Json {
  if (result.kind === 'no_branch') return { kind: result.kind, explain: result.dropped, funnel: result.funnel };
  if (result.kind !== 'decided') return { kind: result.kind };
  const { selection, ranking, decision } = result;
  return {
    kind: result.kind,
    branch: selection.branch.name,
    arm: selection.arm === null ? null : { modelId: selection.arm.modelId, probability: rounded(selection.arm.probability) },
    order: ranking.order,
    fallback: ranking.fallback?.reason ?? null,
    exploration: ranking.exploration === null ? null : { campaignId: ranking.exploration.campaignId, probability: rounded(ranking.exploration.probability) },
    ads: decision.ads.map((ad) => ({ campaignId: ad.campaign.id, creativeId: ad.creative.id, position: ad.slotPosition, probability: rounded(ad.propensity * ad.creativeProbability), explored: ad.isExplored })),
    explain: decision.explain(),
    funnel: decision.funnel,
  };
}

function expectedOf(expected: DecisionCase['expected']): Json {
  const { counters: _counters, ...rest } = expected;
  if (expected.kind !== 'decided') return rest;
  const ads = (expected.ads ?? []).map((ad) => ({ creativeId: `${ad.campaignId as string}-cr1`, explored: false, ...ad }));
  return { arm: null, fallback: null, exploration: null, ...rest, ads };
}

describe('golden decision cases (cases/decision-cases.json)', () => {
  it('has distinct cases, each naming only what a case may hold', () => {
    const known = ['name', 'snapshot', 'request', 'membership', 'counters', 'models', 'armWeights', 'explorationShare', 'explorationRemaining', 'goalProgressToday', 'now', 'nowMs', 'seed', 'expected'];
    expect(FILE.cases.length).toBeGreaterThanOrEqual(15);
    expect(new Set(FILE.cases.map((c) => c.name)).size).toBe(FILE.cases.length);
    expect(FILE.cases.flatMap((c) => Object.keys(c).filter((key) => !known.includes(key)).map((key) => `${c.name}: ${key}`))).toEqual([]);
  });

  it.each(FILE.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const now = c.now ?? defaults.now;
    const nowMs = c.nowMs ?? defaults.nowMs;
    expect(Date.parse(now)).toBe(nowMs);
    const built = buildDecisionSnapshot({
      version: 'golden',
      slots: (c.snapshot.slots ?? [{}]).map((s) => withDefaults<Slot>(defaults.slot, s, 'slot')),
      campaigns: c.snapshot.campaigns.map(campaignOf),
      policies: c.snapshot.policies.map((p) => ({ slotId: p.slotId as string, branches: p.branches.map((b) => withDefaults<Branch>(defaults.branch, b, 'branch')) })),
      adLoadTimeZone: c.snapshot.adLoadTimeZone ?? 'UTC',
    });
    expect(built.issues).toEqual([]);
    const store = new InMemoryCounterStore(() => nowMs);
    for (const [address, value] of Object.entries(c.counters ?? {})) await store.increment(address, value, 0);
    const members = new Set(c.membership ?? []);
    const result = await decide(
      built.snapshot,
      withDefaults<DecisionRequest>(defaults.request, c.request ?? {}, 'request'),
      (pkg) => members.has(pkg),
      nowMs,
      createRng(c.seed ?? defaults.seed),
      store,
      scorerOf(c.models),
      {
        armWeights: new Map(Object.entries(c.armWeights ?? {})),
        explorationShare: c.explorationShare ?? 0,
        explorationRemaining: new Map(Object.entries(c.explorationRemaining ?? {})),
        goalProgressToday: new Map(Object.entries(c.goalProgressToday ?? {})),
      },
    );
    expect(observed(result)).toEqual(expectedOf(c.expected));
    const counters = c.expected.counters;
    if (counters !== undefined) {
      const after = await store.get(Object.keys(counters));
      expect(Object.fromEntries(Object.keys(counters).map((address, i) => [address, after[i]]))).toEqual(counters);
    }
  });
});
