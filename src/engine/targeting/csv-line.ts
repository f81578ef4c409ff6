/**
 * Line-at-a-time CSV (RFC 4180 quoting) for streamed uploads: the caller reads the file line by
 * line and never holds it whole. A quoted field may span lines; the record reader stitches them.
 */

export type CsvLineResult =
  | { kind: 'ok'; fields: string[] }
  /** The line ends inside a quoted field: append the next physical line (joined by '\n') and parse again. */
  | { kind: 'unterminated' }
  | { kind: 'error'; column: number; message: string };

/**
 * Split one CSV record into fields. Quoted fields may contain the delimiter, newlines and
 * doubled quotes (`""` → `"`). A trailing '\r' is dropped. A quote inside an unquoted field is
 * kept literally (lenient, as spreadsheets export it); text after a closing quote other than the
 * delimiter is an error. `column` in errors is 1-based.
 */
export function parseCsvLine(line: string, delimiter = ','): CsvLineResult {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (i < n && text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q === -1) return { kind: 'unterminated' };
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      fields.push(value);
      if (j === n) return { kind: 'ok', fields };
      if (text[j] !== delimiter) {
        return { kind: 'error', column: j + 1, message: `unexpected '${text[j]}' after closing quote at column ${j + 1}` };
      }
      i = j + 1;
    } else {
      const d = text.indexOf(delimiter, i);
      if (d === -1) {
        fields.push(text.slice(i));
        return { kind: 'ok', fields };
      }
      fields.push(text.slice(i, d));
      i = d + 1;
    }
  }
}

export type CsvRecordResult =
  | { kind: 'record'; fields: string[]; lineNo: number }
  | { kind: 'pending' }
  | { kind: 'error'; lineNo: number; message: string };

export interface CsvRecordReader {
  /** Feed the next physical line (without its '\n'); lines are numbered from 1. */
  pushLine(line: string): CsvRecordResult;
  /** Call at end of input: reports a quoted field left open. */
  finish(): { kind: 'ok' } | { kind: 'error'; lineNo: number; message: string };
}

/** Maximum physical lines one record may span, so a stray quote cannot swallow a whole upload. */
export const MAX_LINES_PER_RECORD = 1000;

/**
 * Stateful wrapper over parseCsvLine that joins physical lines while a quoted field is open.
 * `lineNo` of a record is the line it started on.
 */
export function createCsvRecordReader(delimiter = ','): CsvRecordReader {
  let buffer: string | null = null;
  let startLine = 0;
  let spanned = 0;
  let lineNo = 0;
  return {
    pushLine(line: string): CsvRecordResult {
      lineNo++;
      if (buffer === null) {
        buffer = line;
        startLine = lineNo;
        spanned = 1;
      } else {
        buffer += '\n' + line;
        spanned++;
      }
      const parsed = parseCsvLine(buffer, delimiter);
      if (parsed.kind === 'unterminated') {
        if (spanned < MAX_LINES_PER_RECORD) return { kind: 'pending' };
        buffer = null;
        return { kind: 'error', lineNo: startLine, message: `quoted field opened on line ${startLine} is not closed within ${MAX_LINES_PER_RECORD} lines` };
      }
      buffer = null;
      if (parsed.kind === 'error') return { kind: 'error', lineNo: startLine, message: parsed.message };
      return { kind: 'record', fields: parsed.fields, lineNo: startLine };
    },
    finish() {
      if (buffer === null) return { kind: 'ok' };
      buffer = null;
      return { kind: 'error', lineNo: startLine, message: `quoted field opened on line ${startLine} is not closed at end of input` };
    },
  };
}
