import { localClock } from '../policy/local-time';
import { compileCampaign } from '../policy/snapshot';
import { makeCampaign, makeSlot } from '../../../test/support/policy-fixtures';
import { adLoadCheck, capBucket, CapBuckets, frequencyCapChecks, suppressionCheck } from './frequency-caps';

const NOW = Date.UTC(2026, 10, 28, 13, 30, 15, 500); // Saturday 2026-11-28 13:30:15.5 UTC

describe('capBucket', () => {
  it.each([
    { window: 'minute', tz: 'UTC', endAt: null, tag: `m${Date.UTC(2026, 10, 28, 13, 30) / 60_000}`, ttlS: 45 + 60 },
    { window: 'hour', tz: 'UTC', endAt: null, tag: `h${Date.UTC(2026, 10, 28, 13) / 3_600_000}`, ttlS: 1785 + 60 },
    { window: 'day', tz: 'UTC', endAt: null, tag: 'd2026-11-28', ttlS: 37_785 + 3600 },
    // 21:30:15.5 in Shanghai: 2 h 29 m 44.5 s to local midnight
    { window: 'day', tz: 'Asia/Shanghai', endAt: null, tag: 'd2026-11-28', ttlS: 8985 + 3600 },
    // Saturday: rest of today + Sunday + 2 h slack
    { window: 'week', tz: 'UTC', endAt: null, tag: 'w2026-W48', ttlS: 37_785 + 86_400 + 7200 },
    { window: 'week', tz: 'Asia/Shanghai', endAt: null, tag: 'w2026-W48', ttlS: 8985 + 86_400 + 7200 },
    { window: 'lifetime', tz: 'UTC', endAt: null, tag: 'l', ttlS: 400 * 86_400 },
    { window: 'lifetime', tz: 'UTC', endAt: Date.UTC(2026, 11, 1), tag: 'l', ttlS: 2 * 86_400 + 37_785 + 86_400 },
  ] as const)('$window in $tz', ({ window, tz, endAt, tag, ttlS }) => {
    expect(capBucket(window, NOW, localClock(NOW, tz), endAt)).toEqual({ tag, ttlS });
  });

  it.each([
    // New York: 04:59 UTC is still Friday 23:59 local; 05:00 UTC starts Saturday
    { at: '2026-11-28T04:59:00Z', tag: 'd2026-11-27' },
    { at: '2026-11-28T05:00:00Z', tag: 'd2026-11-28' },
    // Sunday 2026-11-29 23:59 local is still week 48; Monday 00:00 local is week 49
    { at: '2026-11-30T04:59:00Z', tag: 'w2026-W48', window: 'week' as const },
    { at: '2026-11-30T05:00:00Z', tag: 'w2026-W49', window: 'week' as const },
  ])('day and week roll over at local midnight ($at → $tag)', ({ at, tag, window }) => {
    const now = Date.parse(at);
    expect(capBucket(window ?? 'day', now, localClock(now, 'America/New_York'), null).tag).toBe(tag);
  });
});

describe('cap checks', () => {
  it('one reserve check per window, tightest limit wins; bucket hashes tagged by listener, lifetime a key of its own', () => {
    const campaign = compileCampaign(
      makeCampaign('a', {
        frequencyCaps: [{ impressions: 3, window: 'day' }, { impressions: 5, window: 'week' }, { impressions: 2, window: 'day' }, { impressions: 9, window: 'lifetime' }],
      }),
    );
    const checks = frequencyCapChecks('42', campaign, NOW, localClock(NOW, 'UTC'));
    expect(checks).toEqual([
      { key: 'fc:{u:42}:d2026-11-28', field: 'a', limit: 2, op: 'reserve', ttlS: 41_385, reason: 'cap' },
      { key: 'fc:{u:42}:w2026-W48', field: 'a', limit: 5, op: 'reserve', ttlS: 131_385, reason: 'cap' },
      { key: 'fc:{u:42}:a:l', limit: 9, op: 'reserve', ttlS: 400 * 86_400, reason: 'cap' },
    ]);
  });

  it('the campaigns of one decision count in the same bucket hashes, a field each; another zone has its own day', () => {
    const buckets = new CapBuckets('42', NOW);
    const hourly = (id: string, timeZone: string) =>
      compileCampaign(makeCampaign(id, { frequencyCaps: [{ impressions: 3, window: 'hour' }, { impressions: 6, window: 'day' }], schedule: { startAt: '2026-01-01T00:00:00Z', endAt: null, timeZone, dayParting: null } }));
    const [aHour, aDay] = frequencyCapChecks('42', hourly('a', 'UTC'), NOW, localClock(NOW, 'UTC'), buckets);
    const [bHour, bDay] = frequencyCapChecks('42', hourly('b', 'UTC'), NOW, localClock(NOW, 'UTC'), buckets);
    const [cHour, cDay] = frequencyCapChecks('42', hourly('c', 'Pacific/Kiritimati'), NOW, localClock(NOW, 'Pacific/Kiritimati'), buckets);
    expect([aHour.field, bHour.field, cHour.field]).toEqual(['a', 'b', 'c']);
    expect(bHour.key).toBe(aHour.key);
    expect(bDay.key).toBe(aDay.key);
    expect(cHour.key).toBe(aHour.key); // hours are epoch-aligned, the same everywhere
    expect([aDay.key, cDay.key]).toEqual(['fc:{u:42}:d2026-11-28', 'fc:{u:42}:d2026-11-29']); // UTC+14
    expect([aDay.ttlS, cDay.ttlS]).toEqual([41_385, 77_385]); // each to its own local midnight + 1 h
  });

  it('ad-load check is per listener per slot, a field of the bucket hash (a key of its own for lifetime); none without a cap', () => {
    const clock = localClock(NOW, 'UTC');
    expect(adLoadCheck('42', makeSlot({ adLoadCap: { impressions: 4, window: 'hour' } }), NOW, 'UTC', clock)).toEqual({
      key: `fc:{u:42}:h${Date.UTC(2026, 10, 28, 13) / 3_600_000}`,
      field: 'al:slot-1',
      limit: 4,
      op: 'reserve',
      ttlS: 1845,
      reason: 'ad_load_cap',
    });
    expect(adLoadCheck('42', makeSlot({ adLoadCap: { impressions: 40, window: 'lifetime' } }), NOW, 'UTC', clock)).toMatchObject({ key: 'al:{u:42}:slot-1:l', limit: 40 });
    expect(adLoadCheck('42', makeSlot(), NOW, 'UTC', clock)).toBeNull();
  });

  it('suppression is an absent check only when the campaign asks for it', () => {
    expect(suppressionCheck('42', compileCampaign(makeCampaign('a', { suppressOnConversion: true })))).toEqual({
      key: 'sup:{u:42}:a',
      limit: 0,
      op: 'absent',
      ttlS: 400 * 86_400,
      reason: 'suppressed',
    });
    expect(suppressionCheck('42', compileCampaign(makeCampaign('a')))).toBeNull();
  });
});
