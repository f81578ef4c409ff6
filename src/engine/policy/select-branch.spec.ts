import { createRng, type Rng } from '../util/rng';
import { drawArm, selectBranch, type BranchSelected } from './select-branch';
import type { Campaign, DayPart } from './snapshot';
import { makeBranch, makeCampaign, makeSnapshot } from '../../../test/support/policy-fixtures';

const NOW = Date.parse('2026-11-28T13:30:00Z'); // Saturday
const nobody = () => false;
const rng = () => createRng(1);

function countingRng(): Rng & { calls: number } {
  const inner = createRng(7);
  const r = { calls: 0, next: () => (r.calls++, inner.next()) };
  return r;
}

function zoned(id: string, timeZone: string, dayParting: DayPart[] | null, extra: Partial<Campaign> = {}): Campaign {
  return makeCampaign(id, { schedule: { startAt: '2026-01-01T00:00:00Z', endAt: null, timeZone, dayParting }, ...extra });
}

describe('selectBranch: slot resolution', () => {
  const snapshot = makeSnapshot([makeCampaign('a')], [makeBranch('all', ['a'])]);
  it.each([
    { slotId: 'slot-1', platform: 'ios', kind: 'selected' },
    { slotId: 'home-banner', platform: 'ios', kind: 'selected' },
    { slotId: 'nope', platform: 'ios', kind: 'unknown_slot' },
    { slotId: 'slot-1', platform: 'tv', kind: 'platform_not_served' },
  ] as const)('$slotId on $platform → $kind', ({ slotId, platform, kind }) => {
    expect(selectBranch(snapshot, { slotId, userId: 'u', platform }, nobody, NOW, rng()).kind).toBe(kind);
  });

  it('a slot without a policy has no branch', () => {
    const s = makeSnapshot([], []);
    expect(selectBranch(s, { slotId: 'slot-1', userId: 'u', platform: 'ios' }, nobody, NOW, rng())).toMatchObject({
      kind: 'no_branch',
      funnel: { candidates: 0, eligible: 0, inAudience: 0 },
    });
  });
});

describe('selectBranch: eligibility reasons', () => {
  const audioOnly = makeCampaign('x', {
    creatives: [{ id: 'c', campaignId: 'x', type: 'audio', formats: ['audio'], title: '', assetUrl: null, landingUrl: '', weight: 1 }],
  });
  const mon9to17: DayPart[] = [{ days: ['mon'], startHour: 9, endHour: 17 }];
  it.each([
    { title: 'active and on air', campaign: makeCampaign('x'), at: NOW, reason: null },
    { title: 'paused', campaign: makeCampaign('x', { status: 'paused' }), at: NOW, reason: 'status' },
    { title: 'draft', campaign: makeCampaign('x', { status: 'draft' }), at: NOW, reason: 'status' },
    { title: 'not assigned to the slot', campaign: makeCampaign('x', { slotIds: ['other'] }), at: NOW, reason: 'slot' },
    { title: 'no creative in the slot format', campaign: audioOnly, at: NOW, reason: 'slot' },
    { title: 'platform not targeted', campaign: makeCampaign('x', { platforms: ['android'] }), at: NOW, reason: 'platform' },
    { title: 'before startAt', campaign: makeCampaign('x', { schedule: { startAt: '2026-12-01T00:00:00Z', endAt: null, timeZone: 'UTC', dayParting: null } }), at: NOW, reason: 'schedule' },
    { title: 'at endAt (exclusive)', campaign: makeCampaign('x', { schedule: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-11-28T13:30:00Z', timeZone: 'UTC', dayParting: null } }), at: NOW, reason: 'schedule' },
    { title: '1 ms before endAt', campaign: makeCampaign('x', { schedule: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-11-28T13:30:00.001Z', timeZone: 'UTC', dayParting: null } }), at: NOW, reason: null },
    // New York, Monday 09–17 local (EST = UTC−5 in November)
    { title: 'NY Mon 09:00 local', campaign: zoned('x', 'America/New_York', mon9to17), at: Date.parse('2026-11-30T14:00:00Z'), reason: null },
    { title: 'NY Mon 08:59 local', campaign: zoned('x', 'America/New_York', mon9to17), at: Date.parse('2026-11-30T13:59:00Z'), reason: 'day_part' },
    { title: 'NY Mon 17:00 local (end exclusive)', campaign: zoned('x', 'America/New_York', mon9to17), at: Date.parse('2026-11-30T22:00:00Z'), reason: 'day_part' },
    { title: 'NY Mon 16:59 local', campaign: zoned('x', 'America/New_York', mon9to17), at: Date.parse('2026-11-30T21:59:00Z'), reason: null },
    // DST: 2026-03-08 02:00 EST jumps to 03:00 EDT
    { title: 'NY Sun 03:xx EDT right after spring forward', campaign: zoned('x', 'America/New_York', [{ days: ['sun'], startHour: 3, endHour: 4 }]), at: Date.parse('2026-03-08T07:00:00Z'), reason: null },
    { title: 'NY Sun 01:59 EST just before it', campaign: zoned('x', 'America/New_York', [{ days: ['sun'], startHour: 3, endHour: 4 }]), at: Date.parse('2026-03-08T06:59:00Z'), reason: 'day_part' },
    { title: 'NY 02:xx does not exist that day', campaign: zoned('x', 'America/New_York', [{ days: ['sun'], startHour: 2, endHour: 3 }]), at: Date.parse('2026-03-08T07:00:00Z'), reason: 'day_part' },
    // DST end: 01:xx happens twice (EDT then EST) and both count
    { title: 'NY first 01:30 on fall-back day', campaign: zoned('x', 'America/New_York', [{ days: ['sun'], startHour: 1, endHour: 2 }]), at: Date.parse('2026-11-01T05:30:00Z'), reason: null },
    { title: 'NY second 01:30 on fall-back day', campaign: zoned('x', 'America/New_York', [{ days: ['sun'], startHour: 1, endHour: 2 }]), at: Date.parse('2026-11-01T06:30:00Z'), reason: null },
    // Midnight in Shanghai (UTC+8): Sat 00:00–01:00 local
    { title: 'Shanghai Sat 00:30 (Fri 16:30 UTC)', campaign: zoned('x', 'Asia/Shanghai', [{ days: ['sat'], startHour: 0, endHour: 1 }]), at: Date.parse('2026-11-27T16:30:00Z'), reason: null },
    { title: 'Shanghai Fri 23:59', campaign: zoned('x', 'Asia/Shanghai', [{ days: ['sat'], startHour: 0, endHour: 1 }]), at: Date.parse('2026-11-27T15:59:00Z'), reason: 'day_part' },
    { title: 'Shanghai Sun 23:00–24:00 is the week’s last hour', campaign: zoned('x', 'Asia/Shanghai', [{ days: ['sun'], startHour: 23, endHour: 24 }]), at: Date.parse('2026-11-29T15:30:00Z'), reason: null },
  ])('$title → $reason', ({ campaign, at, reason }) => {
    const snapshot = makeSnapshot([campaign], [makeBranch('all', ['x'])]);
    const out = selectBranch(snapshot, { slotId: 'slot-1', userId: 'u', platform: 'ios' }, nobody, at, rng());
    if (reason === null) expect(out.kind).toBe('selected');
    else expect(out).toMatchObject({ kind: 'no_branch', dropped: [{ campaignId: 'x', reason }] });
  });

  it('a campaign the snapshot does not know is dropped as status', () => {
    const snapshot = makeSnapshot([], [makeBranch('all', ['ghost'])]);
    expect(selectBranch(snapshot, { slotId: 'slot-1', userId: 'u', platform: 'ios' }, nobody, NOW, rng())).toMatchObject({
      kind: 'no_branch',
      dropped: [{ campaignId: 'ghost', reason: 'status' }],
    });
  });
});

describe('selectBranch: one snapshot asked at successive instants (eligibility is memoized per quarter hour)', () => {
  // Every instant is asked of the SAME snapshot, in this order, and must agree with a fresh snapshot.
  const startsMidQuarter = makeCampaign('s', { schedule: { startAt: '2026-11-28T13:37:00Z', endAt: null, timeZone: 'UTC', dayParting: null } });
  const endsMidQuarter = makeCampaign('e', { schedule: { startAt: '2026-01-01T00:00:00Z', endAt: '2026-11-28T13:41:30Z', timeZone: 'UTC', dayParting: null } });
  const satUntil14 = zoned('d', 'UTC', [{ days: ['sat'], startHour: 0, endHour: 14 }]);
  const nepal = zoned('n', 'Asia/Kathmandu', [{ days: ['sat'], startHour: 19, endHour: 20 }]); // UTC+5:45
  const campaigns = [startsMidQuarter, endsMidQuarter, satUntil14, nepal];
  const branches = [makeBranch('all', ['s', 'e', 'd', 'n'])];
  const shared = makeSnapshot(campaigns, branches);
  const candidatesAt = (snapshot: ReturnType<typeof makeSnapshot>, at: number) => {
    const out = selectBranch(snapshot, { slotId: 'slot-1', userId: 'u', platform: 'ios' }, nobody, at, rng());
    return out.kind === 'selected' ? out.candidates.map((c) => c.id) : [];
  };
  it.each([
    { at: '2026-11-28T13:14:59Z', eligible: ['e', 'd'] }, // 18:59:59 in Kathmandu
    { at: '2026-11-28T13:30:00Z', eligible: ['e', 'd', 'n'] },
    { at: '2026-11-28T13:36:59.999Z', eligible: ['e', 'd', 'n'] },
    { at: '2026-11-28T13:37:00Z', eligible: ['s', 'e', 'd', 'n'] },
    { at: '2026-11-28T13:41:29.999Z', eligible: ['s', 'e', 'd', 'n'] },
    { at: '2026-11-28T13:41:30Z', eligible: ['s', 'd', 'n'] },
    { at: '2026-11-28T13:59:59.999Z', eligible: ['s', 'd', 'n'] },
    { at: '2026-11-28T14:00:00Z', eligible: ['s', 'n'] },
    { at: '2026-11-28T14:14:59Z', eligible: ['s', 'n'] }, // 19:59:59 in Kathmandu
    { at: '2026-11-28T14:15:00Z', eligible: ['s'] }, // 20:00 in Kathmandu
    { at: '2026-11-28T13:35:00Z', eligible: ['e', 'd', 'n'] }, // the clock went back
  ])('at $at → $eligible', ({ at, eligible }) => {
    const atMs = Date.parse(at);
    expect(candidatesAt(shared, atMs)).toEqual(eligible);
    expect(candidatesAt(makeSnapshot(campaigns, branches), atMs)).toEqual(eligible);
  });

  it('the winner depends on the listener even when eligibility is memoized', () => {
    const s = makeSnapshot([makeCampaign('a'), makeCampaign('b')], [makeBranch('vip', ['a'], { audience: { package: 'vip' } }), makeBranch('all', ['b'])]);
    const ask = (packages: string[]) => selectBranch(s, { slotId: 'slot-1', userId: 'u', platform: 'ios' }, (p) => packages.includes(p), NOW, rng());
    expect(ask(['vip'])).toMatchObject({ branch: { name: 'vip' }, dropped: [{ campaignId: 'b', reason: 'not_ranked' }] });
    expect(ask([])).toMatchObject({ branch: { name: 'all' }, dropped: [{ campaignId: 'a', reason: 'audience' }] });
    expect(ask(['vip'])).toMatchObject({ branch: { name: 'vip' }, candidates: [{ id: 'a' }] });
  });
});

describe('selectBranch: first matching branch with an eligible candidate', () => {
  const campaigns = [makeCampaign('a'), makeCampaign('b'), makeCampaign('p', { status: 'paused' }), makeCampaign('z')];
  const vip = { package: 'vip' } as const;
  it.each([
    {
      title: 'member of vip → vip branch',
      branches: [makeBranch('vip', ['a'], { audience: vip }), makeBranch('all', ['b'])],
      packages: ['vip'],
      branch: 'vip',
      candidates: ['a'],
      dropped: [['b', 'not_ranked']],
      funnel: { candidates: 2, eligible: 2, inAudience: 1 },
    },
    {
      title: 'not a member → falls through, vip candidates dropped for audience',
      branches: [makeBranch('vip', ['a'], { audience: vip }), makeBranch('all', ['b'])],
      packages: [],
      branch: 'all',
      candidates: ['b'],
      dropped: [['a', 'audience']],
      funnel: { candidates: 2, eligible: 2, inAudience: 1 },
    },
    {
      title: 'matching branch without an eligible candidate is skipped',
      branches: [makeBranch('vip', ['p'], { audience: vip }), makeBranch('all', ['b', 'a'])],
      packages: ['vip'],
      branch: 'all',
      candidates: ['b', 'a'],
      dropped: [['p', 'status']],
      funnel: { candidates: 3, eligible: 2, inAudience: 2 },
    },
    {
      title: 'duplicates in a branch collapse; a campaign in both branches is not dropped',
      branches: [makeBranch('vip', ['a', 'z'], { audience: vip }), makeBranch('all', ['a', 'b', 'a'])],
      packages: [],
      branch: 'all',
      candidates: ['a', 'b'],
      dropped: [['z', 'audience']],
      funnel: { candidates: 3, eligible: 3, inAudience: 2 },
    },
  ])('$title', ({ branches, packages, branch, candidates, dropped, funnel }) => {
    const snapshot = makeSnapshot(campaigns, branches);
    const out = selectBranch(snapshot, { slotId: 'slot-1', userId: 'u', platform: 'ios' }, (k) => packages.includes(k), NOW, rng());
    expect(out.kind).toBe('selected');
    const s = out as BranchSelected;
    expect(s.branch.name).toBe(branch);
    expect(s.branchKey).toBe(`slot-1:${branch}`);
    expect(s.candidates.map((c) => c.id)).toEqual(candidates);
    expect(s.dropped.map((d) => [d.campaignId, d.reason])).toEqual(dropped);
    expect(s.funnel).toEqual(funnel);
  });

  it('no branch matches → no_branch with audience drops', () => {
    const snapshot = makeSnapshot(campaigns, [makeBranch('vip', ['a', 'p'], { audience: vip })]);
    expect(selectBranch(snapshot, { slotId: 'slot-1', userId: 'u', platform: 'ios' }, nobody, NOW, rng())).toEqual({
      kind: 'no_branch',
      slot: snapshot.slotsById.get('slot-1'),
      dropped: [{ campaignId: 'a', reason: 'audience' }, { campaignId: 'p', reason: 'status' }],
      funnel: { candidates: 2, eligible: 1, inAudience: 0 },
    });
  });

  it.each([
    { count: undefined, want: 1 },
    { count: 2, want: 2 },
    { count: 9, want: 3 },
    { count: 0, want: 1 },
  ])('count $count → want $want (slot allows 3)', ({ count, want }) => {
    const snapshot = makeSnapshot(campaigns, [makeBranch('all', ['a'])]);
    const out = selectBranch(snapshot, { slotId: 'slot-1', userId: 'u', platform: 'ios', count }, nobody, NOW, rng()) as BranchSelected;
    expect(out.want).toBe(want);
  });

  it('draws from the rng only for bandit branches', () => {
    const r = countingRng();
    selectBranch(makeSnapshot(campaigns, [makeBranch('all', ['a'])]), { slotId: 'slot-1', userId: 'u', platform: 'ios' }, nobody, NOW, r);
    expect(r.calls).toBe(0);
    const bandit = makeBranch('b', ['a'], { method: 'bandit', arms: [{ modelId: 'm1', floor: 0.1 }, { modelId: 'random', floor: 0.1 }] });
    const out = selectBranch(makeSnapshot(campaigns, [bandit]), { slotId: 'slot-1', userId: 'u', platform: 'ios' }, nobody, NOW, r) as BranchSelected;
    expect(r.calls).toBe(1);
    expect(out.arm?.probability).toBe(0.5);
  });
});

describe('drawArm', () => {
  const branch = makeBranch('b', ['a'], {
    method: 'bandit',
    arms: [{ modelId: 'ftrl-3', floor: 0.05 }, { modelId: 'gbdt-1', floor: 0.05 }, { modelId: 'random', floor: 0.05 }],
  });
  it.each([
    { title: 'supplied weights', weights: [{ modelId: 'ftrl-3', weight: 7 }, { modelId: 'gbdt-1', weight: 2 }, { modelId: 'random', weight: 1 }], p: [0.7, 0.2, 0.1] },
    { title: 'no weights → uniform', weights: undefined, p: [1 / 3, 1 / 3, 1 / 3] },
    { title: 'all-zero weights → uniform', weights: [{ modelId: 'ftrl-3', weight: 0 }], p: [1 / 3, 1 / 3, 1 / 3] },
    { title: 'arm missing from weights never drawn; unknown models ignored', weights: [{ modelId: 'ftrl-3', weight: 1 }, { modelId: 'random', weight: 3 }, { modelId: 'old', weight: 50 }], p: [0.25, 0, 0.75] },
  ])('$title: frequencies and logged probabilities', ({ weights, p }) => {
    const r = createRng(2026);
    const counts = [0, 0, 0];
    const N = 30_000;
    let maxError = 0;
    for (let i = 0; i < N; i++) {
      const arm = drawArm(branch, weights, r)!;
      counts[arm.armIndex]++;
      maxError = Math.max(maxError, Math.abs(arm.probability - p[arm.armIndex]));
    }
    expect(maxError).toBeLessThan(1e-12);
    counts.forEach((c, i) => expect(Math.abs(c / N - p[i])).toBeLessThan(0.012));
  });

  it('a bandit branch without arms draws nothing', () => {
    expect(drawArm(makeBranch('b', ['a'], { method: 'bandit' }), undefined, createRng(1))).toBeNull();
  });
});
