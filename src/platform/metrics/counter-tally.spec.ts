import { Registry } from 'prom-client';
import { CounterTally } from './counter-tally';

async function values(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const out: Record<string, number> = {};
  for (const v of (metric?.values ?? []) as { labels: Record<string, string>; value: number }[]) {
    out[Object.entries(v.labels).map(([k, x]) => `${k}=${x}`).sort().join(',')] = v.value;
  }
  return out;
}

describe('CounterTally', () => {
  it.each([
    {
      title: 'two row labels',
      rowLabels: ['slot', 'branch'] as const,
      adds: [['s1', 'b1', 0, 3], ['s1', 'b1', 0, 2], ['s1', 'b2', 1, 1], ['s2', 'b1', 1, 4]] as const,
      expected: { 'branch=b1,slot=s1,stage=in': 5, 'branch=b2,slot=s1,stage=out': 1, 'branch=b1,slot=s2,stage=out': 4 },
    },
    {
      title: 'one row label (the second is ignored)',
      rowLabels: ['slot'] as const,
      adds: [['s1', '', 1, 1], ['s1', '', 1, 1], ['s2', '', 0, 7]] as const,
      expected: { 'slot=s1,stage=out': 2, 'slot=s2,stage=in': 7 },
    },
  ])('a scrape sees every count added before it, once: $title', async ({ rowLabels, adds, expected }) => {
    const registry = new Registry();
    const tally = new CounterTally({ name: 't_total', help: 'h', rowLabels, valueLabel: 'stage', values: ['in', 'out'], registry });
    for (const [first, second, index, by] of adds) tally.row(first, second)[index] += by;
    expect(await values(registry, 't_total')).toEqual(expected);
    // A second scrape without new counts reports the same totals (folded once, not twice).
    expect(await values(registry, 't_total')).toEqual(expected);
    tally.row(adds[0][0], adds[0][1])[adds[0][2]] += 10;
    const [key, before] = Object.entries(expected)[0];
    expect((await values(registry, 't_total'))[key]).toBe(before + 10);
  });
});
