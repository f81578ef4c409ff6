import { buildDecisionSnapshot, compileDayParting } from './snapshot';
import { makeCampaign, makeSlot } from '../../../test/support/policy-fixtures';

function allowedHours(mask: Uint8Array): number[] {
  return [...mask].flatMap((v, i) => (v === 1 ? [i] : []));
}

describe('compileDayParting', () => {
  it.each([
    { title: 'null = every hour', parts: null, hours: Array.from({ length: 168 }, (_, i) => i) },
    { title: 'Mon 9–11', parts: [{ days: ['mon'], startHour: 9, endHour: 11 }], hours: [9, 10] },
    { title: 'Sun 23–24 is the last hour of the week', parts: [{ days: ['sun'], startHour: 23, endHour: 24 }], hours: [167] },
    { title: 'Tue+Sat 0–1', parts: [{ days: ['tue', 'sat'], startHour: 0, endHour: 1 }], hours: [24, 120] },
    { title: 'overlapping parts merge', parts: [{ days: ['wed'], startHour: 1, endHour: 3 }, { days: ['wed'], startHour: 2, endHour: 4 }], hours: [49, 50, 51] },
    { title: 'empty span (end ≤ start) allows nothing', parts: [{ days: ['fri'], startHour: 22, endHour: 2 }], hours: [] },
    { title: 'empty list allows nothing', parts: [], hours: [] },
  ] as const)('$title', ({ parts, hours }) => {
    const mask = compileDayParting(parts);
    expect(mask.length).toBe(168);
    expect(allowedHours(mask)).toEqual(hours);
  });
});

describe('buildDecisionSnapshot', () => {
  it('indexes rows and reports campaigns it cannot evaluate', () => {
    const good = makeCampaign('a', { creatives: [
      { id: 'x', campaignId: 'a', type: 'image', formats: ['banner'], title: '', assetUrl: null, landingUrl: '', weight: 2 },
      { id: 'y', campaignId: 'a', type: 'image', formats: ['banner'], title: '', assetUrl: null, landingUrl: '', weight: 3.5 },
    ] });
    const badZone = makeCampaign('b', { schedule: { startAt: '2026-01-01T00:00:00Z', endAt: null, timeZone: 'Nowhere/City', dayParting: null } });
    const badDate = makeCampaign('c', { schedule: { startAt: 'yesterday', endAt: null, timeZone: 'UTC', dayParting: null } });
    const { snapshot, issues } = buildDecisionSnapshot({ version: '7', slots: [makeSlot()], campaigns: [good, badZone, badDate], policies: [] });
    expect([...snapshot.campaignsById.keys()]).toEqual(['a']);
    expect(snapshot.campaignsById.get('a')?.creativeWeightSum).toBe(5.5);
    expect(snapshot.campaignsById.get('a')?.startAtMs).toBe(Date.UTC(2026, 0, 1));
    expect(snapshot.slotsByKey.get('home-banner')?.id).toBe('slot-1');
    expect(issues.map((i) => i.path)).toEqual(['$.campaigns[1].schedule.timeZone', '$.campaigns[2].schedule']);
  });
});
