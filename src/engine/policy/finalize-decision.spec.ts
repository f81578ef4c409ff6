import { InMemoryCounterStore } from '../caps/in-memory-counter-store';
import { counterAddress } from '../caps/counter-store';
import { capHashKey, suppressionKey } from '../caps/frequency-caps';
import { createRng } from '../util/rng';
import { decide, type DecideResult, type Scorer } from './decide';
import { finalizeDecision, pickCreative } from './finalize-decision';
import type { Ranking } from './rank-candidates';
import type { Campaign, Creative, Slot } from './snapshot';
import { makeBranch, makeCampaign, makeSlot, makeSnapshot } from '../../../test/support/policy-fixtures';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const creative = (id: string, weight: number, formats: Creative['formats'] = ['banner']): Creative => ({
  id,
  campaignId: 'x',
  type: 'image',
  formats,
  title: '',
  assetUrl: null,
  landingUrl: '',
  weight,
});

async function run(campaigns: Campaign[], opts: { slot?: Slot; count?: number; store?: InMemoryCounterStore; scorer?: Scorer; method?: 'priority' | 'model' } = {}) {
  const store = opts.store ?? new InMemoryCounterStore(() => NOW);
  const branch = makeBranch('b', campaigns.map((c) => c.id), opts.method === 'model' ? { method: 'model', modelId: 'm' } : {});
  const out: DecideResult = await decide(
    makeSnapshot(campaigns, [branch], opts.slot ?? makeSlot()),
    { slotId: 'slot-1', userId: '42', platform: 'ios', count: opts.count ?? 2 },
    () => false,
    NOW,
    createRng(1),
    store,
    opts.scorer ?? null,
  );
  if (out.kind !== 'decided') throw new Error(out.kind);
  // explain() lives on the decision's prototype: extend the decision rather than spread it.
  return Object.assign(out.decision, { ranking: out.ranking, store });
}
/** Listener 42's day counter of campaign a (the run's campaigns cap per day). */
const dayCapOfA = { key: capHashKey('42', 'd2026-11-28'), field: 'a' };
const adIds = (d: { ads: readonly { campaign: { id: string } }[] }) => d.ads.map((a) => a.campaign.id);
const explainOf = (d: { explain(): readonly { campaignId: string; reason: string }[] }) => d.explain().map((e) => `${e.campaignId}:${e.reason}`);

describe('finalizeDecision through the whole funnel (in-memory counters)', () => {
  const trio = () => [
    makeCampaign('a', { priority: 90, frequencyCaps: [{ impressions: 1, window: 'day' }] }),
    makeCampaign('b', { priority: 50 }),
    makeCampaign('c', { priority: 10 }),
    makeCampaign('p', { status: 'paused' }),
  ];

  it('capped campaign is skipped and explained; the next ones fill', async () => {
    const store = new InMemoryCounterStore(() => NOW);
    // The in-memory store keys a hash field by its address.
    await store.increment(counterAddress(dayCapOfA), 1, 3600);
    const d = await run(trio(), { store });
    expect([d.kind, adIds(d), explainOf(d)]).toEqual(['filled', ['b', 'c'], ['p:status', 'a:cap']]);
    expect(d.funnel).toEqual({ candidates: 4, eligible: 3, inAudience: 3, underCaps: 2, chosen: 2 });
    expect(d.ads.map((x) => [x.slotPosition, x.rankPosition])).toEqual([[0, 1], [1, 2]]);
  });

  it('want 1: the rest are explained as not_ranked, and nothing of theirs is reserved', async () => {
    const d = await run(trio(), { count: 1 });
    expect([adIds(d), explainOf(d)]).toEqual([['a'], ['p:status', 'b:not_ranked', 'c:not_ranked']]);
    expect(await d.store.get([dayCapOfA])).toEqual([1]);
    expect(d.funnel).toEqual({ candidates: 4, eligible: 3, inAudience: 3, underCaps: 3, chosen: 1 });
  });

  it('slot ad-load cap is shared across the ads of one response and across responses', async () => {
    const store = new InMemoryCounterStore(() => NOW);
    const slot = makeSlot({ adLoadCap: { impressions: 2, window: 'day' } });
    const first = await run(trio(), { slot, count: 3, store });
    expect([adIds(first), explainOf(first)]).toEqual([['a', 'b'], ['p:status', 'c:ad_load_cap']]);
    const second = await run(trio(), { slot, count: 3, store });
    expect([second.kind, explainOf(second)]).toEqual(['no_fill', ['p:status', 'a:cap', 'b:ad_load_cap', 'c:ad_load_cap']]);
    expect(second.funnel).toEqual({ candidates: 4, eligible: 3, inAudience: 3, underCaps: 0, chosen: 0 });
  });

  it.each([
    { title: 'suppressed after conversion', campaign: makeCampaign('s', { suppressOnConversion: true }), reason: 'suppressed' },
    { title: 'asap goal already reached', campaign: makeCampaign('s', { goal: { metric: 'impressions', daily: 1, total: null, pacing: 'asap' } }), reason: 'goal_reached' },
    { title: 'even pacing ahead of schedule', campaign: makeCampaign('s', { goal: { metric: 'impressions', daily: 100, total: null, pacing: 'even' } }), reason: 'pacing' },
    { title: 'click goal met', campaign: makeCampaign('s', { goal: { metric: 'clicks', daily: null, total: 5, pacing: 'asap' } }), reason: 'goal_reached' },
  ])('$title → $reason', async ({ campaign, reason }) => {
    const store = new InMemoryCounterStore(() => NOW);
    await store.set(suppressionKey('42', 's'), 60);
    await store.increment('goal:{c:s}:impressions:d2026-11-28', 56, 3600); // noon: even allowance = ⌊100·0.5·1.1 + 1⌋ = 56
    await store.increment('goal:{c:s}:clicks:total', 5, 3600);
    const d = await run([campaign], { store, count: 1 });
    expect([d.kind, explainOf(d)]).toEqual(['no_fill', [`s:${reason}`]]);
  });

  it('model branch: scorer order, and fallback to priority when the scorer is unavailable', async () => {
    const campaigns = [makeCampaign('a', { priority: 90 }), makeCampaign('b', { priority: 10 })];
    const scorer: Scorer = { score: async (modelId) => ({ scores: modelId === 'm' ? new Map([['a', 0.01], ['b', 0.2]]) : new Map(), version: null, explain: null }) };
    const scored = await run(campaigns, { method: 'model', scorer, count: 1 });
    expect([adIds(scored), scored.ranking.order]).toEqual([['b'], 'model']);
    const down: Scorer = { score: async () => ({ scores: { kind: 'unavailable', reason: 'onnx session not loaded' }, version: null, explain: null }) };
    const fallback = await run(campaigns, { method: 'model', scorer: down, count: 1 });
    expect([adIds(fallback), fallback.ranking.fallback]).toEqual([['a'], { to: 'priority', reason: 'onnx session not loaded' }]);
  });
});

describe('finalizeDecision: dedupe and creatives', () => {
  it('never returns two ads of one campaign, even if the ranking repeats it', async () => {
    const d = await run([makeCampaign('a', { priority: 90 }), makeCampaign('b', { priority: 10 })]);
    const r = d.ranking;
    const doubled: Ranking = { ...r, ranked: [r.ranked[0], r.ranked[0], r.ranked[1]], want: 3 };
    const out = finalizeDecision(
      doubled,
      { results: [{ id: 'a', status: 'chosen' }, { id: 'a', status: 'chosen' }, { id: 'b', status: 'chosen' }], chosenIds: ['a', 'a', 'b'] },
      createRng(1),
    );
    expect(adIds(out)).toEqual(['a', 'b']);
  });

  it.each([
    { title: 'in plan order', order: [0, 1, 2] },
    { title: 'in another order', order: [2, 0, 1] },
    { title: 'with a verdict missing', order: [0, 2] },
  ])('reads the store verdicts by campaign whatever their order: $title', async ({ order }) => {
    const d = await run([makeCampaign('a', { priority: 90 }), makeCampaign('b', { priority: 50 }), makeCampaign('c', { priority: 10 })]);
    const verdicts = [
      { id: 'a', status: 'rejected', reason: 'cap', key: 'k' },
      { id: 'b', status: 'chosen' },
      { id: 'c', status: 'chosen' },
    ] as const;
    const out = finalizeDecision({ ...d.ranking, want: 2 }, { results: order.map((i) => verdicts[i]), chosenIds: ['b', 'c'] }, createRng(1));
    const missingB = !order.includes(1);
    expect(adIds(out)).toEqual(missingB ? ['c'] : ['b', 'c']);
    expect(explainOf(out)).toEqual(missingB ? ['a:cap', 'b:not_ranked'] : ['a:cap']);
    expect(out.funnel).toMatchObject({ underCaps: 2, chosen: missingB ? 1 : 2 });
  });

  it.each([
    { title: '1:3 among banner creatives; the audio-only one never', creatives: [creative('w1', 1), creative('w3', 3), creative('aud', 10, ['audio'])], p: { w1: 0.25, w3: 0.75, aud: 0 } },
    { title: 'equal weights', creatives: [creative('x', 2), creative('y', 2)], p: { x: 0.5, y: 0.5 } },
    { title: 'single fitting creative', creatives: [creative('only', 0.1, ['banner', 'feed'])], p: { only: 1 } },
  ])('creative rotation by weight: $title', ({ creatives, p }) => {
    const rng = createRng(77);
    const N = 20_000;
    const counts: Record<string, number> = {};
    let maxError = 0;
    for (let i = 0; i < N; i++) {
      const pick = pickCreative(creatives, 'banner', rng)!;
      counts[pick.creative.id] = (counts[pick.creative.id] ?? 0) + 1;
      maxError = Math.max(maxError, Math.abs(pick.probability - (p as unknown as Record<string, number>)[pick.creative.id]));
    }
    expect(maxError).toBeLessThan(1e-12);
    for (const [id, share] of Object.entries(p)) expect(Math.abs((counts[id] ?? 0) / N - share)).toBeLessThan(0.012);
  });

  it('no creative fits → null', () => {
    expect(pickCreative([creative('a', 1, ['audio'])], 'banner', createRng(1))).toBeNull();
  });
});
