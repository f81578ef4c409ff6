import { createCsvRecordReader, MAX_LINES_PER_RECORD, parseCsvLine } from './csv-line';

describe('parseCsvLine', () => {
  it.each<[string, string, string, ReturnType<typeof parseCsvLine>]>([
    ['plain fields', 'a,b,c', ',', { kind: 'ok', fields: ['a', 'b', 'c'] }],
    ['empty line is one empty field', '', ',', { kind: 'ok', fields: [''] }],
    ['empty fields and trailing delimiter', ',x,,', ',', { kind: 'ok', fields: ['', 'x', '', ''] }],
    ['quoted field with delimiter', 'u1,"GD, Shenzhen",3', ',', { kind: 'ok', fields: ['u1', 'GD, Shenzhen', '3'] }],
    ['doubled quotes', '"say ""hi""",b', ',', { kind: 'ok', fields: ['say "hi"', 'b'] }],
    ['empty quoted field', '"",b', ',', { kind: 'ok', fields: ['', 'b'] }],
    ['quoted last field', 'a,"b"', ',', { kind: 'ok', fields: ['a', 'b'] }],
    ['quoted field with newline', '"line1\nline2",x', ',', { kind: 'ok', fields: ['line1\nline2', 'x'] }],
    ['CRLF line ending dropped', 'a,b\r', ',', { kind: 'ok', fields: ['a', 'b'] }],
    ['quote inside unquoted field kept', 'ab"c,d', ',', { kind: 'ok', fields: ['ab"c', 'd'] }],
    ['pipes stay inside a field', 'u,pop|rock', ',', { kind: 'ok', fields: ['u', 'pop|rock'] }],
    ['tab delimiter', 'a\t"b\tc"\td', '\t', { kind: 'ok', fields: ['a', 'b\tc', 'd'] }],
    ['open quote', 'a,"unfinished', ',', { kind: 'unterminated' }],
    ['open quote after escaped quote', '"x""', ',', { kind: 'unterminated' }],
    ['text after closing quote', '"ab"c,d', ',', { kind: 'error', column: 5, message: "unexpected 'c' after closing quote at column 5" }],
  ])('%s', (_name, line, delimiter, expected) => {
    expect(parseCsvLine(line, delimiter)).toEqual(expected);
  });
});

describe('createCsvRecordReader', () => {
  it('joins physical lines of a quoted field and numbers records by their first line', () => {
    const reader = createCsvRecordReader();
    const out = ['id,note', 'u1,"first', 'second"', 'u2,plain', '"bad"x,1'].map((l) => reader.pushLine(l));
    expect(out).toEqual([
      { kind: 'record', fields: ['id', 'note'], lineNo: 1 },
      { kind: 'pending' },
      { kind: 'record', fields: ['u1', 'first\nsecond'], lineNo: 2 },
      { kind: 'record', fields: ['u2', 'plain'], lineNo: 4 },
      { kind: 'error', lineNo: 5, message: "unexpected 'x' after closing quote at column 6" },
    ]);
    expect(reader.finish()).toEqual({ kind: 'ok' });
  });

  it('reports a quote left open at end of input', () => {
    const reader = createCsvRecordReader();
    reader.pushLine('a,b');
    reader.pushLine('c,"open');
    expect(reader.finish()).toEqual({ kind: 'error', lineNo: 2, message: 'quoted field opened on line 2 is not closed at end of input' });
  });

  it('gives up on a record spanning too many lines and resynchronises', () => {
    const reader = createCsvRecordReader();
    let last = reader.pushLine('"never closed');
    for (let i = 1; i < MAX_LINES_PER_RECORD; i++) last = reader.pushLine('x');
    expect(last).toEqual({ kind: 'error', lineNo: 1, message: `quoted field opened on line 1 is not closed within ${MAX_LINES_PER_RECORD} lines` });
    expect(reader.pushLine('a,b')).toEqual({ kind: 'record', fields: ['a', 'b'], lineNo: MAX_LINES_PER_RECORD + 1 });
  });
});
