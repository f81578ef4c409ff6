import { createRng } from '../util/rng';
import { buildReservePlan, rankCandidates, requiredModel, type Ranking } from './rank-candidates';
import { selectBranch, type BranchSelected, type SelectOptions } from './select-branch';
import type { Branch, Campaign, Slot } from './snapshot';
import { makeBranch, makeCampaign, makeSlot, makeSnapshot } from '../../../test/support/policy-fixtures';

const NOON = Date.parse('2026-11-28T12:00:00Z');

function select(campaigns: readonly Campaign[], branch: Branch, seed = 1, options: SelectOptions = {}, slot: Slot = makeSlot()): BranchSelected {
  const out = selectBranch(makeSnapshot([...campaigns], [branch], slot), { slotId: slot.id, userId: '42', platform: 'ios', count: 3 }, () => false, NOON, createRng(seed), options);
  if (out.kind !== 'selected') throw new Error(out.kind);
  return out;
}
const ids = (r: Ranking) => r.ranked.map((x) => x.campaign.id);
const none = new Map<string, number>();
const weighted = (id: string, priority: number, weights: number[]) =>
  makeCampaign(id, {
    priority,
    creatives: weights.map((weight, i) => ({ id: `${id}-${i}`, campaignId: id, type: 'image', formats: ['banner'], title: '', assetUrl: null, landingUrl: '', weight })),
  });

describe('rankCandidates: deterministic methods', () => {
  it.each([
    { title: 'designated keeps branch order', method: 'designated', campaigns: [weighted('a', 1, [1]), weighted('b', 99, [1])], order: ['a', 'b'] },
    { title: 'priority desc', method: 'priority', campaigns: [weighted('a', 10, [1]), weighted('b', 80, [1]), weighted('c', 50, [1])], order: ['b', 'c', 'a'] },
    { title: 'priority tie → larger creative weight sum first', method: 'priority', campaigns: [weighted('a', 50, [1, 1]), weighted('b', 50, [3]), weighted('c', 50, [0.5])], order: ['b', 'a', 'c'] },
  ] as const)('$title', ({ method, campaigns, order }) => {
    const ranking = rankCandidates(select(campaigns, makeBranch('x', campaigns.map((c) => c.id), { method })), none, createRng(3));
    expect(ids(ranking)).toEqual(order);
    expect(ranking.ranked.map((r) => r.propensity)).toEqual(order.map(() => 1));
    expect(ranking.fallback).toBeNull();
  });

  it('exact priority ties are broken uniformly at random and logged with probability 1/k', () => {
    const campaigns = [weighted('a', 50, [1]), weighted('b', 50, [1]), weighted('c', 90, [1])];
    const sel = select(campaigns, makeBranch('x', ['a', 'b', 'c']));
    let aFirst = 0;
    const N = 4000;
    const rng = createRng(11);
    const logged = new Set<string>();
    for (let i = 0; i < N; i++) {
      const r = rankCandidates(sel, none, rng);
      logged.add(`${r.ranked[0].campaign.id}:${r.ranked.map((x) => x.propensity).join(',')}`);
      if (r.ranked[1].campaign.id === 'a') aFirst++;
    }
    expect([...logged]).toEqual(['c:1,0.5,0.5']);
    expect(Math.abs(aFirst / N - 0.5)).toBeLessThan(0.025);
  });
});

describe('rankCandidates: priority order against its definition', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: priority desc, weight sum desc, then a tie key per candidate drawn in candidate order', (seed) => {
    const gen = createRng(seed * 7919);
    const campaigns = Array.from({ length: 3 + Math.floor(gen.next() * 12) }, (_, i) => weighted(`c${i}`, 10 * Math.floor(gen.next() * 4), [1 + Math.floor(gen.next() * 2)]));
    const sel = select(campaigns, makeBranch('x', campaigns.map((c) => c.id)));
    for (let round = 0; round < 3; round++) {
      // The reference: the draws a fresh rng of the same seed gives, in candidate order.
      const reference = createRng(seed + round);
      const ties = sel.candidates.map(() => reference.next());
      const expected = sel.candidates
        .map((c, i) => ({ c, tie: ties[i] }))
        .sort((a, b) => b.c.priority - a.c.priority || b.c.creativeWeightSum - a.c.creativeWeightSum || a.tie - b.tie)
        .map((x) => x.c.id);
      const rng = createRng(seed + round);
      expect(ids(rankCandidates(sel, none, rng))).toEqual(expected);
      expect(rng.next()).toBe(reference.next()); // exactly one draw per candidate
    }
  });
});

describe('rankCandidates: model, bandit and fallback', () => {
  const campaigns = [makeCampaign('a'), makeCampaign('b'), makeCampaign('c')];
  const modelBranch = makeBranch('m', ['a', 'b', 'c'], { method: 'model', modelId: 'ftrl-1' });

  it('model ranks by predicted CTR; unscored campaigns go last', () => {
    const sel = select(campaigns, modelBranch);
    expect(requiredModel(sel)).toBe('ftrl-1');
    const full = rankCandidates(sel, new Map([['a', 0.02], ['b', 0.05], ['c', 0.03]]), createRng(1));
    expect([ids(full), full.order, full.modelId, full.ranked.map((r) => r.score)]).toEqual([['b', 'c', 'a'], 'model', 'ftrl-1', [0.05, 0.03, 0.02]]);
    const partial = rankCandidates(sel, new Map([['a', 0.02], ['c', 0.03]]), createRng(1));
    expect(ids(partial)).toEqual(['c', 'a', 'b']);
  });

  it.each([
    // a: 0.03 × urgency; at noon with a daily click goal of 100: 10 done → (0.9/0.5)=1.8; 80 done → 0.4 → 0.5
    { done: 10, order: ['a', 'b'], valueA: 0.054 },
    { done: 80, order: ['b', 'a'], valueA: 0.015 },
    { done: undefined, order: ['b', 'a'], valueA: 0.03 },
  ])('expected value for click goals: $done clicks done today → $order', ({ done, order, valueA }) => {
    const a = makeCampaign('a', { goal: { metric: 'clicks', daily: 100, total: null, pacing: 'even' } });
    const sel = select([a, makeCampaign('b')], makeBranch('m', ['a', 'b'], { method: 'model', modelId: 'm' }));
    const progress = done === undefined ? undefined : new Map([['a', done]]);
    const r = rankCandidates(sel, new Map([['a', 0.03], ['b', 0.05]]), createRng(1), { goalProgressToday: progress });
    expect(ids(r)).toEqual(order);
    expect(r.ranked.find((x) => x.campaign.id === 'a')?.value).toBeCloseTo(valueA, 12);
  });

  it.each([
    { title: 'scorer unavailable', branch: modelBranch, scores: { kind: 'unavailable', reason: 'timeout 5ms' } as const, reason: 'timeout 5ms' },
    { title: 'no candidate scored', branch: modelBranch, scores: new Map<string, number>(), reason: 'model ftrl-1 scored no candidate' },
    { title: 'model branch without a model', branch: makeBranch('m', ['a', 'b', 'c'], { method: 'model' }), scores: none, reason: 'model branch has no model' },
    { title: 'bandit branch without arms', branch: makeBranch('m', ['a', 'b', 'c'], { method: 'bandit' }), scores: none, reason: 'bandit branch has no arms' },
  ])('falls back to priority: $title', ({ branch, scores, reason }) => {
    const prio = [makeCampaign('a', { priority: 5 }), makeCampaign('b', { priority: 70 }), makeCampaign('c', { priority: 20 })];
    const r = rankCandidates(select(prio, branch), scores, createRng(1));
    expect([r.order, r.fallback, r.modelId, ids(r)]).toEqual(['priority', { to: 'priority', reason }, null, ['b', 'c', 'a']]);
  });

  it("bandit ranks by the drawn arm's model and logs the arm probability", () => {
    const branch = makeBranch('bd', ['a', 'b', 'c'], { method: 'bandit', arms: [{ modelId: 'm1', floor: 0 }, { modelId: 'm2', floor: 0 }] });
    const weights = new Map([['slot-1:bd', [{ modelId: 'm1', weight: 1 }, { modelId: 'm2', weight: 3 }]]]);
    const seen = new Set<string>();
    for (let seed = 1; seed < 40; seed++) {
      const sel = select(campaigns, branch, seed, { armWeights: weights });
      const model = requiredModel(sel)!;
      seen.add(model);
      const scores = model === 'm1' ? new Map([['a', 0.9], ['b', 0.1], ['c', 0.5]]) : new Map([['a', 0.1], ['b', 0.9], ['c', 0.5]]);
      const r = rankCandidates(sel, scores, createRng(seed));
      expect(r.modelId).toBe(model);
      expect(ids(r)).toEqual(model === 'm1' ? ['a', 'c', 'b'] : ['b', 'c', 'a']);
      expect(r.ranked.map((x) => x.propensity)).toEqual(model === 'm1' ? [0.25, 0.25, 0.25] : [0.75, 0.75, 0.75]);
    }
    expect([...seen].sort()).toEqual(['m1', 'm2']);
  });

  it.each([
    ["bandit 'random' arm", { method: 'bandit' as const, arms: [{ modelId: 'random', floor: 0 }] }],
    ["model branch with model 'random'", { method: 'model' as const, modelId: 'random' }],
  ])('%s shuffles uniformly; each position logged as armP × 1/n', (_name, shape) => {
    const branch = makeBranch('bd', ['a', 'b', 'c'], shape);
    const sel = select(campaigns, branch);
    expect(requiredModel(sel)).toBeNull();
    const firsts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const rng = createRng(5);
    const N = 9000;
    const logged = new Set<string>();
    for (let i = 0; i < N; i++) {
      const r = rankCandidates(sel, none, rng);
      logged.add(`${r.order}:${r.ranked.map((x) => x.propensity.toFixed(12)).join(',')}`);
      firsts[r.ranked[0].campaign.id]++;
    }
    expect([...logged]).toEqual([`random:${[1 / 3, 1 / 3, 1 / 3].map((p) => p.toFixed(12)).join(',')}`]);
    for (const k of ['a', 'b', 'c']) expect(Math.abs(firsts[k] / N - 1 / 3)).toBeLessThan(0.02);
  });
});

describe('rankCandidates: exploration', () => {
  // Brute-force reference: enumerate "no exploration" (1−s) and "Y moved first" (s/m each) over a fixed base order.
  function bruteForce(base: string[], explorable: string[], s: number): Map<string, number> {
    const p = new Map<string, number>();
    const add = (order: string[], w: number) => order.forEach((id, j) => p.set(`${id}@${j}`, (p.get(`${id}@${j}`) ?? 0) + w));
    add(base, explorable.length > 0 ? 1 - s : 1);
    for (const y of explorable) add([y, ...base.filter((x) => x !== y)], s / explorable.length);
    return p;
  }
  const campaigns = [makeCampaign('a', { priority: 10 }), makeCampaign('b', { priority: 90 }), makeCampaign('c', { priority: 50 }), makeCampaign('d', { priority: 30 })];
  const sel = select(campaigns, makeBranch('p', ['a', 'b', 'c', 'd']));

  it.each([
    { share: 0.2, remaining: { c: 5, a: 1 } },
    { share: 0.5, remaining: { a: 3 } },
    { share: 1, remaining: { d: 2, a: 2, b: 1 } },
    { share: 0.3, remaining: { a: 0 } }, // no budget left: never explores
  ])('share $share with budgets $remaining: logged propensities equal the enumerated marginals', ({ share, remaining }) => {
    const explorationRemaining = new Map(Object.entries(remaining));
    const explorable = ['b', 'c', 'd', 'a'].filter((id) => (explorationRemaining.get(id) ?? 0) > 0);
    const reference = bruteForce(['b', 'c', 'd', 'a'], explorable, share);
    const rng = createRng(9);
    let explored = 0;
    let maxError = 0;
    const N = 4000;
    for (let i = 0; i < N; i++) {
      const r = rankCandidates(sel, none, rng, { explorationShare: share, explorationRemaining });
      for (const x of r.ranked) maxError = Math.max(maxError, Math.abs(x.propensity - (reference.get(`${x.campaign.id}@${x.position}`) ?? 0)));
      if (r.exploration !== null) {
        explored++;
        if (!r.ranked[0].isExplored) maxError = Infinity;
        maxError = Math.max(maxError, Math.abs(r.exploration.probability - share / explorable.length));
      }
    }
    expect(maxError).toBeLessThan(1e-12);
    expect(Math.abs(explored / N - (explorable.length > 0 ? share : 0))).toBeLessThan(0.025);
  });

  it('random arm + exploration: the top propensity is the exact marginal (1−s)/n + s/m·[explorable]', () => {
    const branch = makeBranch('bd', ['a', 'b', 'c', 'd'], { method: 'bandit', arms: [{ modelId: 'random', floor: 0 }] });
    const s = select(campaigns, branch);
    const explorationRemaining = new Map([['a', 1], ['b', 1]]);
    const expected = (id: string) => 0.6 / 4 + (explorationRemaining.has(id) ? 0.4 / 2 : 0);
    const rng = createRng(21);
    const tops: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    const N = 20_000;
    let maxError = 0;
    for (let i = 0; i < N; i++) {
      const r = rankCandidates(s, none, rng, { explorationShare: 0.4, explorationRemaining });
      const top = r.ranked[0];
      maxError = Math.max(maxError, Math.abs(top.propensity - expected(top.campaign.id)));
      tops[top.campaign.id]++;
    }
    expect(maxError).toBeLessThan(1e-12);
    for (const id of ['a', 'b', 'c', 'd']) expect(Math.abs(tops[id] / N - expected(id))).toBeLessThan(0.012);
  });

  it('designated branches never explore', () => {
    const d = select(campaigns, makeBranch('d', ['a', 'b'], { method: 'designated' }));
    const r = rankCandidates(d, none, createRng(1), { explorationShare: 1, explorationRemaining: new Map([['b', 9]]) });
    expect([ids(r), r.exploration]).toEqual([['a', 'b'], null]);
  });
});

describe('rankCandidates: counter checks', () => {
  it('suppression, goal, caps, then the shared slot ad-load check, in that order', () => {
    const a = makeCampaign('a', {
      priority: 90,
      suppressOnConversion: true,
      goal: { metric: 'impressions', daily: 1000, total: null, pacing: 'asap' },
      frequencyCaps: [{ impressions: 3, window: 'day' }],
    });
    const b = makeCampaign('b', { priority: 10 });
    const slot = makeSlot({ adLoadCap: { impressions: 2, window: 'day' } });
    const r = rankCandidates(select([a, b], makeBranch('p', ['a', 'b']), 1, {}, slot), none, createRng(1));
    expect(r.ranked[0].checks.map((c) => [c.key, c.field, c.op, c.limit, c.reason])).toEqual([
      ['sup:{u:42}:a', undefined, 'absent', 0, 'suppressed'],
      ['goal:{c:a}:impressions:d2026-11-28', undefined, 'reserve', 1000, 'goal_reached'],
      ['fc:{u:42}:d2026-11-28', 'a', 'reserve', 3, 'cap'],
      ['fc:{u:42}:d2026-11-28', 'al:slot-1', 'reserve', 2, 'ad_load_cap'],
    ]);
    expect(r.ranked[1].checks.map((c) => [c.key, c.field])).toEqual([['fc:{u:42}:d2026-11-28', 'al:slot-1']]);
    expect(r.ranked[1].checks[0]).toBe(r.ranked[0].checks[3]); // one ad-load check object shared by the candidates
    const plan = buildReservePlan(r);
    expect([plan.want, plan.candidates.map((c) => [c.id, c.checks])]).toEqual([3, [['a', r.ranked[0].checks], ['b', r.ranked[1].checks]]]);
  });

  it.each([
    { max: Infinity, ids: ['a', 'b', 'c', 'd'] },
    { max: 3, ids: ['a', 'b', 'c'] },
    { max: 1, ids: ['a', 'b'] }, // never fewer than want (2)
  ])('buildReservePlan keeps the top $max candidates', ({ max, ids: expected }) => {
    const cs = ['a', 'b', 'c', 'd'].map((id, i) => makeCampaign(id, { priority: 90 - i }));
    const sel = selectBranch(makeSnapshot(cs, [makeBranch('p', ['a', 'b', 'c', 'd'])]), { slotId: 'slot-1', userId: '42', platform: 'ios', count: 2 }, () => false, NOON, createRng(1));
    if (sel.kind !== 'selected') throw new Error(sel.kind);
    const plan = buildReservePlan(rankCandidates(sel, none, createRng(1)), max);
    expect([plan.candidates.map((c) => c.id), plan.want]).toEqual([expected, 2]);
  });
});
