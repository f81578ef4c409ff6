import { createProfileImportReader } from './profile-import';

describe('createProfileImportReader', () => {
  it('CSV: header, quoted multi-line field, blank line, bad row, short row', () => {
    const reader = createProfileImportReader('csv');
    const lines = [
      '\uFEFFuser_id,region,genres,vip_level,note',
      'u1,GD,pop|rock,3,"two',
      'lines"',
      '',
      'u2,BJ,,9,x',
      'u3,SH',
    ];
    expect(lines.map((l) => reader.pushLine(l))).toEqual([
      { kind: 'skip', lineNo: 1, reason: 'header' },
      { kind: 'skip', lineNo: 2, reason: 'pending' },
      { kind: 'profile', lineNo: 2, userKey: 'u1', profile: { region: 'GD', genres: ['pop', 'rock'], vipLevel: '3' }, ignoredFields: ['note'] },
      { kind: 'skip', lineNo: 4, reason: 'blank' },
      { kind: 'error', lineNo: 5, errors: [{ field: 'vip_level', message: "line 5: vipLevel must be one of 0, 1, 2, 3, 4, 5, 6, 7, got '9'" }] },
      { kind: 'error', lineNo: 6, errors: [{ field: '', message: 'line 6: 2 columns, header has 5' }] },
    ]);
    expect(reader.finish()).toEqual({ kind: 'ok' });
  });

  it.each<[string, string[], { kind: string; lineNo: number }]>([
    ['open quote at end', ['id,region', 'u1,"GD'], { kind: 'error', lineNo: 2 }],
    ['no header at all', [''], { kind: 'error', lineNo: 0 }],
  ])('CSV finish reports %s', (_name, lines, expected) => {
    const reader = createProfileImportReader('csv');
    for (const l of lines) reader.pushLine(l);
    expect(reader.finish()).toMatchObject(expected);
  });

  it('NDJSON: objects, blank lines, invalid JSON, field errors', () => {
    const reader = createProfileImportReader('ndjson');
    const lines = ['{"userId":"a","paidPackage":true,"tenureDays":3}', '   ', '{"userId":', '{"userId":"b","tenureDays":-1}'];
    const out = lines.map((l) => reader.pushLine(l));
    expect(out[0]).toEqual({ kind: 'profile', lineNo: 1, userKey: 'a', profile: { paidPackage: true, tenureDays: 3 }, ignoredFields: [] });
    expect(out[1]).toEqual({ kind: 'skip', lineNo: 2, reason: 'blank' });
    expect(out[2].kind).toBe('error');
    expect(out[2].kind === 'error' && out[2].errors[0].message.startsWith('line 3: not valid JSON')).toBe(true);
    expect(out[3]).toEqual({ kind: 'error', lineNo: 4, errors: [{ field: 'tenureDays', message: 'line 4: tenureDays must be >= 0, got -1' }] });
    expect(reader.finish()).toEqual({ kind: 'ok' });
  });
});
