import { parseCsvLine } from './csv-line';
import { USER_KEY_COLUMNS } from './profile-schema';

/**
 * Uploaded id lists: plain text (one id a line, '#' comments, optional lone header word such as
 * `user_id`) or CSV/TSV with a header row that names a user id column.
 */

export type IdListFormat =
  | { kind: 'plain' }
  | { kind: 'csv'; delimiter: string; column: number; columnName: string };

export type IdListLineResult =
  | { kind: 'id'; id: string }
  | { kind: 'skip'; reason: 'blank' | 'comment' | 'header' }
  | { kind: 'error'; message: string };

export const MAX_ID_CHARS = 128;
const DELIMITERS = [',', '\t', ';'];
// Whitespace or control characters inside an id are almost always a paste error.
const BAD_ID_CHAR = /[\s\u0000-\u001f\u007f]/;

function checkId(raw: string): IdListLineResult {
  const id = raw.trim();
  if (id.length === 0) return { kind: 'error', message: 'empty user id' };
  if (id.length > MAX_ID_CHARS) return { kind: 'error', message: `user id longer than ${MAX_ID_CHARS} characters` };
  if (BAD_ID_CHAR.test(id)) return { kind: 'error', message: `user id '${id.slice(0, 40)}' contains whitespace or control characters` };
  return { kind: 'id', id };
}

/**
 * Parse one line of an id list whose format is known (see detectIdListFormat).
 * Blank lines are skipped; in plain format lines starting with '#' are comments.
 */
export function parseIdListLine(line: string, format: IdListFormat): IdListLineResult {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim().length === 0) return { kind: 'skip', reason: 'blank' };
  if (format.kind === 'plain') {
    if (text.trimStart().startsWith('#')) return { kind: 'skip', reason: 'comment' };
    return checkId(text);
  }
  const parsed = parseCsvLine(text, format.delimiter);
  if (parsed.kind === 'unterminated') return { kind: 'error', message: 'unclosed quote' };
  if (parsed.kind === 'error') return { kind: 'error', message: parsed.message };
  if (parsed.fields.length <= format.column) {
    return { kind: 'error', message: `row has ${parsed.fields.length} columns, user id is column ${format.column + 1} (${format.columnName})` };
  }
  return checkId(parsed.fields[format.column]);
}

export type IdListDetection =
  | { kind: 'ok'; format: IdListFormat; isFirstLineHeader: boolean }
  | { kind: 'error'; message: string };

/**
 * Decide the format from the first non-blank line (BOM stripped). A line holding a delimiter
 * (',', tab, ';') is a CSV header and must name a user id column (userId, user_id, userKey, uid, id;
 * case-insensitive). Otherwise the list is plain; a lone header word is recognised and skipped.
 */
export function detectIdListFormat(firstLine: string): IdListDetection {
  const text = firstLine.replace(/^\uFEFF/, '').replace(/\r$/, '');
  const delimiter = DELIMITERS.find((d) => text.includes(d));
  if (delimiter === undefined) {
    const isHeader = USER_KEY_COLUMNS.includes(text.trim().toLowerCase());
    return { kind: 'ok', format: { kind: 'plain' }, isFirstLineHeader: isHeader };
  }
  const parsed = parseCsvLine(text, delimiter);
  if (parsed.kind !== 'ok') return { kind: 'error', message: 'header line is not valid CSV' };
  const names = parsed.fields.map((f) => f.trim().toLowerCase());
  for (const wanted of USER_KEY_COLUMNS) {
    const column = names.indexOf(wanted);
    if (column !== -1) {
      return { kind: 'ok', format: { kind: 'csv', delimiter, column, columnName: parsed.fields[column].trim() }, isFirstLineHeader: true };
    }
  }
  return { kind: 'error', message: `CSV header has no user id column (one of ${USER_KEY_COLUMNS.join(', ')}); got ${parsed.fields.join(', ').slice(0, 120)}` };
}

export interface IdListReader {
  /** Feed the next line; the first non-blank line decides the format. */
  pushLine(line: string): IdListLineResult;
  format(): IdListFormat | null;
}

/** Stateful reader: detects the format on the first non-blank line, then parses each line. */
export function createIdListReader(): IdListReader {
  let format: IdListFormat | null = null;
  return {
    pushLine(line: string): IdListLineResult {
      if (format === null) {
        if (line.replace(/^\uFEFF/, '').trim().length === 0) return { kind: 'skip', reason: 'blank' };
        const detected = detectIdListFormat(line);
        if (detected.kind === 'error') return { kind: 'error', message: detected.message };
        format = detected.format;
        if (detected.isFirstLineHeader) return { kind: 'skip', reason: 'header' };
        return parseIdListLine(line.replace(/^\uFEFF/, ''), format);
      }
      return parseIdListLine(line, format);
    },
    format: () => format,
  };
}
