import { binLabel, columnNames, encodeRows, fitTransform, selectVariables, DEFAULT_TRANSFORM_OPTIONS, type RawExample } from './feature-pipeline';

const at = Date.UTC(2026, 10, 28, 9, 0, 0);
const ex = (label: 0 | 1, platform: string, vip: string, minutes: number | null, genres: string[]): RawExample => ({
  atMs: at,
  label,
  platform,
  profile: { vipLevel: vip, ...(minutes === null ? {} : { monthlyMinutes: minutes }), genres },
  context: {},
});

// vipLevel '5' always clicks, '0' never: a perfectly informative variable; platform is independent of the label.
const examples: RawExample[] = [
  ex(1, 'ios', '5', 100, ['rock']),
  ex(1, 'android', '5', 200, ['rock', 'pop']),
  ex(0, 'ios', '0', 300, ['pop']),
  ex(0, 'android', '0', null, ['pop']),
];

describe('feature pipeline', () => {
  const spec = fitTransform(examples, { ...DEFAULT_TRANSFORM_OPTIONS, numericBins: 2, minCategoryCount: 1 });

  it('learns variable kinds, encodings, a platform cross and tf-idf terms', () => {
    expect(spec.variables.map((v) => `${v.kind}:${v.name}`)).toEqual([
      'numeric:hour',
      'categorical:platform',
      'numeric:user.monthlyMinutes',
      'categorical:user.vipLevel',
      'cross:platform*user.vipLevel',
      'text:tags:pop',
      'text:tags:rock',
    ]);
    expect(columnNames(spec).slice(0, 5)).toEqual(['hour', 'platform=__unknown__', 'platform=android', 'platform=ios', 'user.monthlyMinutes']);
  });

  it.each([
    // row, column name, expected value
    [0, 'platform=ios', 1],
    [0, 'platform=android', 0],
    [3, 'user.monthlyMinutes', NaN],
    [2, 'user.monthlyMinutes', 300],
    [0, 'tags:pop', 0],
    // row 1 has both terms; pop is in 3 documents, rock in 2: idf(pop) = ln(5/4)+1, idf(rock) = ln(5/3)+1, L2-normalised
    [1, 'tags:rock', (Math.log(5 / 3) + 1) / Math.hypot(Math.log(5 / 3) + 1, Math.log(5 / 4) + 1)],
  ])('encodes row %i column %s', (row, column, expected) => {
    const names = columnNames(spec);
    const matrix = encodeRows(spec, examples);
    const value = matrix[row * names.length + names.indexOf(column)];
    if (Number.isNaN(expected)) expect(value).toBeNaN();
    else expect(value).toBeCloseTo(expected, 6);
  });

  it('keeps the informative variable (IG = 1 bit) and drops the independent platform (IG = 0)', () => {
    const { spec: kept, report } = selectVariables(spec, examples, { criterion: 'infoGain', minScore: 0.5, keepAtLeast: 1 });
    const vip = report.find((r) => r.name === 'user.vipLevel')!;
    expect(vip.scores.infoGain).toBeCloseTo(1, 12);
    expect(vip.scores.gini).toBeCloseTo(0.5, 12);
    expect(vip.bins).toEqual([
      { label: '0', count: 2, positives: 0, ctr: 0 },
      { label: '5', count: 2, positives: 2, ctr: 1 },
    ]);
    expect(report.find((r) => r.name === 'platform')!.scores.infoGain).toBeCloseTo(0, 12);
    expect(kept.variables.map((v) => v.name)).not.toContain('platform');
    expect(kept.variables.map((v) => v.name)).toContain('user.vipLevel');
  });

  it.each([
    [[10, 20], 0, '[-∞, 10)'],
    [[10, 20], 1, '[10, 20)'],
    [[10, 20], 2, '[20, ∞)'],
  ])('labels bins of %j: bin %i = %s', (boundaries, bin, label) => {
    expect(binLabel(boundaries, bin)).toBe(label);
  });
});
