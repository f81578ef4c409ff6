import { attributeSpec, categoricalValueKey, parseProfileRecord, PROFILE_ATTRIBUTES } from './profile-schema';
import type { ListenerProfile } from './profile-schema';

describe('parseProfileRecord', () => {
  it.each<[string, Record<string, unknown>, string, ListenerProfile, string[]]>([
    [
      'NDJSON object with native types',
      {
        userId: 'u-1',
        gender: 'female',
        ageBand: '18-24',
        region: 'GD',
        cityTier: 1,
        platform: 'ios',
        vipLevel: 3,
        paidPackage: false,
        activityState: 'active',
        languages: ['zh', 'en', 'zh'],
        genres: ['pop'],
        artists: [],
        moods: ['calm'],
        tempos: ['fast'],
        monthlyMinutes: 812.5,
        tenureDays: 400,
      },
      'u-1',
      {
        gender: 'female',
        ageBand: '18-24',
        region: 'GD',
        cityTier: '1',
        platform: 'ios',
        vipLevel: '3',
        paidPackage: false,
        activityState: 'active',
        languages: ['zh', 'en'],
        genres: ['pop'],
        artists: [],
        moods: ['calm'],
        tempos: ['fast'],
        monthlyMinutes: 812.5,
        tenureDays: 400,
      },
      [],
    ],
    [
      'CSV row with snake_case headers, pipes and 1/0 booleans',
      { user_id: ' 42 ', age_band: '25-34', city_tier: '3', vip_level: '0', paid_package: '1', genres: 'rock| jazz |', monthly_minutes: '15', tenure_days: '0' },
      '42',
      { ageBand: '25-34', cityTier: '3', vipLevel: '0', paidPackage: true, genres: ['rock', 'jazz'], monthlyMinutes: 15, tenureDays: 0 },
      [],
    ],
    [
      'blank CSV cells mean unknown; unknown columns are listed, not rejected',
      { uid: 'x', region: '', genres: '  ', paid: 'FALSE', email: 'a@b.c', Region2: 'y' },
      'x',
      { paidPackage: false },
      ['email', 'Region2'],
    ],
    ['numeric user id in NDJSON', { id: 17, gender: 'male' }, '17', { gender: 'male' }, []],
  ])('%s', (_name, record, userKey, profile, ignoredFields) => {
    expect(parseProfileRecord(record, 3)).toEqual({ kind: 'ok', userKey, profile, ignoredFields });
  });

  it.each<[string, Record<string, unknown>, { field: string; message: string }[]]>([
    ['missing user id', { region: 'GD' }, [{ field: 'userId', message: 'line 7: missing user id (column userId, user_id, uid or id)' }]],
    ['empty user id', { userId: ' ' }, [{ field: 'userId', message: "line 7: user id must be a non-empty string, got ' '" }]],
    ['two user id columns', { userId: 'a', uid: 'b' }, [{ field: 'uid', message: 'line 7: user id given twice (userId and uid)' }]],
    ['vipLevel out of range', { userId: 'a', vipLevel: '9' }, [{ field: 'vipLevel', message: "line 7: vipLevel must be one of 0, 1, 2, 3, 4, 5, 6, 7, got '9'" }]],
    ['cityTier out of range', { userId: 'a', city_tier: 4 }, [{ field: 'city_tier', message: 'line 7: cityTier must be one of 1, 2, 3, got 4' }]],
    ['platform unknown', { userId: 'a', platform: 'windows' }, [{ field: 'platform', message: "line 7: platform must be one of ios, android, pc, h5, car, speaker, tv, got 'windows'" }]],
    ['boolean not boolean', { userId: 'a', paidPackage: 'yes' }, [{ field: 'paidPackage', message: "line 7: paidPackage must be true/false (or 1/0), got 'yes'" }]],
    ['negative minutes', { userId: 'a', monthlyMinutes: '-3' }, [{ field: 'monthlyMinutes', message: 'line 7: monthlyMinutes must be >= 0, got -3' }]],
    ['non-numeric tenure', { userId: 'a', tenureDays: 'abc' }, [{ field: 'tenureDays', message: "line 7: tenureDays must be a finite number, got 'abc'" }]],
    ['multi as number', { userId: 'a', genres: 5 }, [{ field: 'genres', message: "line 7: genres must be a list (array, or 'a|b|c' in CSV), got 5" }]],
    ['multi item object', { userId: 'a', moods: ['calm', { x: 1 }] }, [{ field: 'moods', message: 'line 7: moods items must be strings, got {"x":1}' }]],
    ['categorical object', { userId: 'a', region: { x: 1 } }, [{ field: 'region', message: 'line 7: region must be a non-empty string of at most 128 characters, got {"x":1}' }]],
    ['attribute twice via alias', { userId: 'a', vip: '1', vipLevel: '2' }, [{ field: 'vipLevel', message: 'line 7: vipLevel given twice (vip and vipLevel)' }]],
    ['NUL in the user id', { userId: 'a\u0000' }, [{ field: 'userId', message: 'line 7: userId must not contain NUL characters or unpaired UTF-16 surrogates' }]],
    ['unpaired surrogate in a list item', { userId: 'a', genres: ['pop', 'k\uD83C'] }, [{ field: 'genres[1]', message: 'line 7: genres[1] must not contain NUL characters or unpaired UTF-16 surrogates' }]],
    [
      'every bad field is reported',
      { tenureDays: -1, gender: 'x' },
      [
        { field: 'tenureDays', message: 'line 7: tenureDays must be >= 0, got -1' },
        { field: 'gender', message: "line 7: gender must be one of male, female, other, unknown, got 'x'" },
        { field: 'userId', message: 'line 7: missing user id (column userId, user_id, uid or id)' },
      ],
    ],
  ])('rejects %s', (_name, record, errors) => {
    expect(parseProfileRecord(record, 7)).toEqual({ kind: 'error', lineNo: 7, errors });
  });

  it('rejects a non-object record', () => {
    expect(parseProfileRecord([] as unknown as Record<string, unknown>, 2)).toEqual({ kind: 'error', lineNo: 2, errors: [{ field: '', message: 'line 2: record must be an object' }] });
  });
});

describe('schema', () => {
  it('covers every listener attribute of the domain model exactly once', () => {
    expect(PROFILE_ATTRIBUTES.map((s) => `${s.name}:${s.kind}`).sort()).toEqual(
      [
        'activityState:categorical',
        'ageBand:categorical',
        'artists:multi',
        'cityTier:categorical',
        'gender:categorical',
        'genres:multi',
        'languages:multi',
        'monthlyMinutes:numeric',
        'moods:multi',
        'paidPackage:boolean',
        'platform:categorical',
        'region:categorical',
        'tempos:multi',
        'tenureDays:numeric',
        'vipLevel:categorical',
      ].sort(),
    );
  });

  it.each<[string, unknown, string | null]>([
    ['vipLevel', 3, '3'],
    ['vipLevel', ' 7 ', '7'],
    ['vipLevel', 8, null],
    ['vipLevel', true, null],
    ['paidPackage', 0, 'false'],
    ['paidPackage', 'TRUE', 'true'],
    ['paidPackage', 2, null],
    ['region', '', null],
    ['region', 'x'.repeat(129), null],
  ])('categoricalValueKey(%s, %p)', (attr, value, expected) => {
    expect(categoricalValueKey(attributeSpec(attr)!, value)).toBe(expected);
  });
});
