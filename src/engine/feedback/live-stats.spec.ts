import { addDecision, minuteOf, StatsAccumulator } from './live-stats';

describe('minuteOf', () => {
  it.each([
    [0, 0],
    [59_999, 0],
    [60_000, 60_000],
    [1_764_000_123_456, 1_764_000_120_000],
  ])('%d → %d', (t, expected) => expect(minuteOf(t)).toBe(expected));
});

describe('addDecision', () => {
  it('counts one request per decision, one served per ad and one eligible per eligible campaign, per minute', () => {
    const acc = new StatsAccumulator();
    const base = { slotId: 's1', branch: 'b', arm: null, platform: 'ios' };
    addDecision(acc, { ...base, nowMs: 60_500, servedCampaignIds: [{ campaignId: 'c1', creativeId: 'k1' }], eligibleCampaignIds: ['c1', 'c2'] });
    addDecision(acc, { ...base, nowMs: 119_999, servedCampaignIds: [{ campaignId: 'c1', creativeId: 'k1' }, { campaignId: 'c2', creativeId: 'k2' }] });
    addDecision(acc, { ...base, nowMs: 120_000, branch: null, servedCampaignIds: [] });
    const rows = acc.drain().map((r) => [r.minuteMs, r.campaignId, r.creativeId, r.branch, r.counts.requests, r.counts.eligible, r.counts.served]);
    expect(rows).toEqual([
      [120_000, '', '', '', 1, 0, 0],
      [60_000, '', '', 'b', 2, 0, 0],
      [60_000, 'c1', '', 'b', 0, 1, 0],
      [60_000, 'c1', 'k1', 'b', 0, 0, 2],
      [60_000, 'c2', '', 'b', 0, 1, 0],
      [60_000, 'c2', 'k2', 'b', 0, 0, 1],
    ]);
    expect(acc.size).toBe(0);
  });

  it('its rows are the rows add() keys by the same dims (decision counts and event counts share rows)', () => {
    const acc = new StatsAccumulator();
    addDecision(acc, { nowMs: 60_500, slotId: 's1', branch: 'b', arm: 'm1', platform: 'ios', servedCampaignIds: [{ campaignId: 'c1', creativeId: 'k1' }], eligibleCampaignIds: ['c1'] });
    const common = { minuteMs: 60_000, slotId: 's1', branch: 'b', arm: 'm1', platform: 'ios' };
    acc.add({ ...common, campaignId: 'c1', creativeId: 'k1' }, 'impressions');
    acc.add({ ...common, campaignId: 'c1', creativeId: '' }, 'eligible');
    acc.add({ ...common, campaignId: '', creativeId: '' }, 'requests');
    const rows = acc.drain();
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => ({ ...r, counts: Object.values(r.counts).reduce((a, b) => a + b, 0) }))).toEqual([
      { ...common, campaignId: '', creativeId: '', counts: 2 },
      { ...common, campaignId: 'c1', creativeId: '', counts: 2 },
      { ...common, campaignId: 'c1', creativeId: 'k1', counts: 2 },
    ]);
  });

  it.each([
    { title: 'one shared list, many decisions', lists: [['c1', 'c2'], 'same', 'same'], eligible: { c1: 3, c2: 3 } },
    { title: 'equal contents in different arrays', lists: [['c1', 'c2'], ['c1', 'c2']], eligible: { c1: 2, c2: 2 } },
    { title: 'overlapping lists', lists: [['c1', 'c2'], ['c2', 'c3'], 'same'], eligible: { c1: 1, c2: 3, c3: 2 } },
    { title: 'an empty list counts nothing', lists: [[], ['c1']], eligible: { c1: 1 } },
  ])('eligible counts by shared list: $title', ({ lists, eligible }) => {
    const acc = new StatsAccumulator();
    let previous: string[] = [];
    for (const list of lists) {
      const ids = list === 'same' ? previous : (list as string[]);
      previous = ids;
      addDecision(acc, { nowMs: 60_500, slotId: 's1', branch: 'b', arm: null, platform: 'ios', servedCampaignIds: [], eligibleCampaignIds: ids });
    }
    expect(acc.size).toBeGreaterThan(0);
    const rows = acc.drain();
    const counted = Object.fromEntries(rows.filter((r) => r.campaignId !== '').map((r) => [r.campaignId, r.counts.eligible]));
    expect(counted).toEqual(eligible);
    expect(rows.find((r) => r.campaignId === '')?.counts.requests).toBe(lists.length);
    expect(acc.size).toBe(0);
    expect(acc.drain()).toEqual([]);
  });

  it('addRows puts a drained batch back without losing counts', () => {
    const acc = new StatsAccumulator();
    const dims = { minuteMs: 0, campaignId: 'c', creativeId: 'k', slotId: 's', branch: 'b', arm: 'a', platform: 'pc' };
    acc.add(dims, 'clicks', 2);
    const batch = acc.drain();
    acc.add(dims, 'clicks', 1);
    acc.addRows(batch);
    expect(acc.drain()[0].counts.clicks).toBe(3);
  });
});
