import { parseItemLine, parsePlayLine } from './listening-lines';

describe('parsePlayLine', () => {
  it.each([
    ['tsv', 'u1\ta9\t120', 2, { kind: 'ok', value: { userKey: 'u1', itemKey: 'a9', plays: 120 } }],
    ['tsv', 'u1\ta9\t120\r', 2, { kind: 'ok', value: { userKey: 'u1', itemKey: 'a9', plays: 120 } }],
    ['tsv', 'userID\tartistID\tweight', 1, { kind: 'skip' }],
    ['tsv', 'userID\tartistID\tweight', 2, { kind: 'error', message: 'plays must be a number >= 0, got "weight"' }],
    ['tsv', '   ', 3, { kind: 'skip' }],
    ['tsv', 'u1 a9 120', 2, { kind: 'error', message: 'expected user<TAB>item<TAB>plays' }],
    ['tsv', 'u1\ta9\t-1', 2, { kind: 'error', message: 'plays must be a number >= 0, got "-1"' }],
    ['tsv', '\ta9\t3', 2, { kind: 'error', message: 'userId must be a non-empty string' }],
    ['ndjson', '{"userId":"u1","itemId":7,"plays":2.5}', 1, { kind: 'ok', value: { userKey: 'u1', itemKey: '7', plays: 2.5 } }],
    ['ndjson', '{"userId":"u1","plays":2}', 1, { kind: 'error', message: 'itemId must be a non-empty string' }],
    ['ndjson', '[1,2]', 1, { kind: 'error', message: 'expected a JSON object {userId, itemId, plays}' }],
    ['ndjson', '{"userId":', 1, { kind: 'error', message: 'not valid JSON' }],
    ['tsv', 'u1\ta\u00009\t3', 2, { kind: 'error', message: 'itemId must not contain NUL characters or unpaired UTF-16 surrogates' }],
    ['ndjson', '{"userId":"u\\ud83c","itemId":"a9","plays":1}', 1, { kind: 'error', message: 'userId must not contain NUL characters or unpaired UTF-16 surrogates' }],
  ] as const)('%s %j (line %d)', (format, line, lineNo, expected) => {
    expect(parsePlayLine(line, format, lineNo)).toEqual(expected);
  });
});

describe('parseItemLine', () => {
  it.each([
    ['ndjson', '{"itemId":"a1","name":"Jay Chou","genre":"mandopop","language":"zh"}', 1, { kind: 'ok', value: { itemKey: 'a1', name: 'Jay Chou', genre: 'mandopop', language: 'zh' } }],
    ['ndjson', '{"itemId":"a1","genre":null}', 1, { kind: 'ok', value: { itemKey: 'a1', genre: null } }],
    ['ndjson', '{"itemId":"a1","name":3}', 1, { kind: 'error', message: 'name must be a string' }],
    ['ndjson', '{"itemId":"a1","name":"x\\u0000"}', 1, { kind: 'error', message: 'name must not contain NUL characters or unpaired UTF-16 surrogates' }],
    ['tsv', 'id\tname\turl\tpictureURL', 1, { kind: 'skip' }],
    ['tsv', '1\tMALICE MIZER\thttp://www.last.fm/music/MALICE+MIZER\thttp://userserve-ak.last.fm/x.jpg', 2, { kind: 'ok', value: { itemKey: '1', name: 'MALICE MIZER' } }],
    ['tsv', 'a2\tEason Chan\tcantopop\tyue', 2, { kind: 'ok', value: { itemKey: 'a2', name: 'Eason Chan', genre: 'cantopop', language: 'yue' } }],
  ] as const)('%s %j', (format, line, lineNo, expected) => {
    expect(parseItemLine(line, format, lineNo)).toEqual(expected);
  });
});
