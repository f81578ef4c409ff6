import { createIdListReader, detectIdListFormat, parseIdListLine } from './id-list';

describe('id list reader', () => {
  it.each<[string, string[], ReturnType<ReturnType<typeof createIdListReader>['pushLine']>[]]>([
    [
      'plain text without header',
      ['', 'u1', '  u2  ', '# comment', 'u3\r'],
      [{ kind: 'skip', reason: 'blank' }, { kind: 'id', id: 'u1' }, { kind: 'id', id: 'u2' }, { kind: 'skip', reason: 'comment' }, { kind: 'id', id: 'u3' }],
    ],
    ['plain text with BOM and header word', ['\uFEFFuser_id', '1001', ''], [{ kind: 'skip', reason: 'header' }, { kind: 'id', id: '1001' }, { kind: 'skip', reason: 'blank' }]],
    ['BOM before the first id', ['\uFEFFu9'], [{ kind: 'id', id: 'u9' }]],
    [
      'CSV with the id in the second column',
      ['name,UserId,score', 'ann,u1,3', '"b, c","u2",4', 'short'],
      [
        { kind: 'skip', reason: 'header' },
        { kind: 'id', id: 'u1' },
        { kind: 'id', id: 'u2' },
        { kind: 'error', message: 'row has 1 columns, user id is column 2 (UserId)' },
      ],
    ],
    ['TSV', ['uid\tx', 'u7\t1'], [{ kind: 'skip', reason: 'header' }, { kind: 'id', id: 'u7' }]],
    ['CSV header without id column', ['name,score'], [{ kind: 'error', message: 'CSV header has no user id column (one of userid, user_id, userkey, user_key, uid, id); got name, score' }]],
    ['id with inner space', ['u 1'], [{ kind: 'error', message: "user id 'u 1' contains whitespace or control characters" }]],
    ['empty CSV id', ['id,x', ',1'], [{ kind: 'skip', reason: 'header' }, { kind: 'error', message: 'empty user id' }]],
    ['overlong id', ['x'.repeat(129)], [{ kind: 'error', message: 'user id longer than 128 characters' }]],
  ])('%s', (_name, lines, expected) => {
    const reader = createIdListReader();
    expect(lines.map((l) => reader.pushLine(l))).toEqual(expected);
  });

  it('detectIdListFormat and parseIdListLine work on their own', () => {
    expect(detectIdListFormat('a;user_key')).toEqual({ kind: 'ok', format: { kind: 'csv', delimiter: ';', column: 1, columnName: 'user_key' }, isFirstLineHeader: true });
    expect(detectIdListFormat('12345')).toEqual({ kind: 'ok', format: { kind: 'plain' }, isFirstLineHeader: false });
    expect(parseIdListLine('"q""x",1', { kind: 'csv', delimiter: ',', column: 0, columnName: 'id' })).toEqual({ kind: 'id', id: 'q"x' });
    expect(parseIdListLine('"open,1', { kind: 'csv', delimiter: ',', column: 0, columnName: 'id' })).toEqual({ kind: 'error', message: 'unclosed quote' });
  });
});
