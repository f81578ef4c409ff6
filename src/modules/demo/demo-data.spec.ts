import { createProfileImportReader } from '../../engine/targeting/profile-import';
import { validateRule } from '../../engine/targeting/rule-expr';
import { DEMO_ADS, DEMO_PACKAGES, DEMO_POLICIES, DEMO_SLOTS, demoListeningLines, demoProfileLines, demoUserKey } from './demo-data';

async function collect(count: number, paid: string[] = []): Promise<string[]> {
  const lines: string[] = [];
  for await (const chunk of demoProfileLines(count, { chunk: 7, paid })) lines.push(...chunk.split('\n').filter(Boolean));
  return lines;
}

describe('demo data', () => {
  it('generates listeners every one of which the profile import accepts, the same ones for the same seed', async () => {
    const paid: string[] = [];
    const lines = await collect(500, paid);
    expect(lines).toHaveLength(500);
    const reader = createProfileImportReader('ndjson');
    const results = lines.map((l) => reader.pushLine(l));
    expect(results.filter((r) => r.kind !== 'profile')).toEqual([]);
    expect(results.map((r) => (r.kind === 'profile' ? r.userKey : null))).toEqual(lines.map((_, i) => demoUserKey(i)));
    expect(await collect(500)).toEqual(lines);
    // paid-users holds exactly the listeners whose profile says paidPackage
    expect(paid).toEqual(lines.filter((l) => JSON.parse(l).paidPackage).map((l) => JSON.parse(l).userId));
  });

  it.each([
    [0, 'u-000001'],
    [41, 'u-000042'],
    [99_999, 'u-100000'],
  ])('user key of listener %i is %s', (i, key) => {
    expect(demoUserKey(i)).toBe(key);
  });

  it('has a valid rule for every rule package and only known packages in policies', () => {
    for (const p of DEMO_PACKAGES.filter((p) => p.kind === 'rule')) expect([p.key, validateRule(p.rule)]).toEqual([p.key, []]);
    const keys = new Set(DEMO_PACKAGES.map((p) => p.key));
    const referenced = JSON.stringify(DEMO_POLICIES).match(/"package":"[^"]+"/g)!.map((m) => m.slice(11, -1));
    expect(referenced.filter((k) => !keys.has(k))).toEqual([]);
  });

  it('lists every policy ad on that slot, and covers every slot format', () => {
    expect(new Set(Object.values(DEMO_SLOTS).map((s) => s.format))).toEqual(new Set(['splash', 'banner', 'popup', 'audio', 'feed']));
    for (const [slot, branches] of Object.entries(DEMO_POLICIES)) {
      for (const b of branches) for (const letter of b.ads) expect([letter, DEMO_ADS[letter].slots.includes(slot as keyof typeof DEMO_SLOTS)]).toEqual([letter, true]);
    }
  });

  it('writes a listening history as user<TAB>item<TAB>plays lines of known listeners', () => {
    const lines = [...demoListeningLines(50)];
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) expect(line).toMatch(/^u-0000[0-5]\d\t[^\t]+ - track \d+\t\d+$/);
  });
});
