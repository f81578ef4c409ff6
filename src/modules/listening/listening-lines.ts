import { isStorableText, UNSTORABLE_TEXT_PROBLEM } from '../../engine/util/storable-text';

/** One listener × item play count from an import line. */
export interface PlayLine {
  userKey: string;
  itemKey: string;
  plays: number;
}

/** Item metadata from an import line; absent fields are left unchanged. */
export interface ItemLine {
  itemKey: string;
  name?: string | null;
  genre?: string | null;
  language?: string | null;
}

export type Parsed<T> = { kind: 'ok'; value: T } | { kind: 'skip' } | { kind: 'error'; message: string };

const MAX_KEY_CHARS = 200;

function key(value: unknown, field: string): string | { error: string } {
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string' || value.trim() === '') return { error: `${field} must be a non-empty string` };
  const trimmed = value.trim();
  if (trimmed.length > MAX_KEY_CHARS) return { error: `${field} is longer than ${MAX_KEY_CHARS} characters` };
  if (!isStorableText(trimmed)) return { error: `${field} ${UNSTORABLE_TEXT_PROBLEM}` };
  return trimmed;
}

function playsOf(value: unknown): number | { error: string } {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return { error: `plays must be a number >= 0, got ${JSON.stringify(value)}` };
  return n;
}

/**
 * A play line: Last.fm `user<TAB>item<TAB>plays` (a first line whose plays column is not a number is
 * the header and skipped), or NDJSON `{"userId","itemId","plays"}`. Blank lines are skipped.
 */
export function parsePlayLine(raw: string, format: 'tsv' | 'ndjson', lineNo: number): Parsed<PlayLine> {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return { kind: 'skip' };
  let userKey: unknown;
  let itemKey: unknown;
  let plays: unknown;
  if (format === 'tsv') {
    const cols = line.split('\t');
    if (cols.length < 3) return { kind: 'error', message: 'expected user<TAB>item<TAB>plays' };
    [userKey, itemKey, plays] = cols;
    if (lineNo === 1 && !Number.isFinite(Number(plays))) return { kind: 'skip' };
  } else {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      return { kind: 'error', message: 'not valid JSON' };
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return { kind: 'error', message: 'expected a JSON object {userId, itemId, plays}' };
    ({ userId: userKey, itemId: itemKey, plays } = row as Record<string, unknown>);
  }
  const u = key(userKey, 'userId');
  if (typeof u !== 'string') return { kind: 'error', message: u.error };
  const i = key(itemKey, 'itemId');
  if (typeof i !== 'string') return { kind: 'error', message: i.error };
  const p = playsOf(plays);
  if (typeof p !== 'number') return { kind: 'error', message: p.error };
  return { kind: 'ok', value: { userKey: u, itemKey: i, plays: p } };
}

function optionalText(value: unknown, field: string): string | null | undefined | { error: string } {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value !== 'string') return { error: `${field} must be a string` };
  if (!isStorableText(value)) return { error: `${field} ${UNSTORABLE_TEXT_PROBLEM}` };
  return value.trim();
}

/**
 * An item metadata line: NDJSON `{"itemId","name","genre","language"}` or TSV `item<TAB>name[<TAB>genre[<TAB>language]]`
 * (Last.fm's artists.dat `id<TAB>name<TAB>url…` reads as id and name when its header is skipped).
 */
export function parseItemLine(raw: string, format: 'tsv' | 'ndjson', lineNo: number): Parsed<ItemLine> {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line.trim() === '') return { kind: 'skip' };
  let fields: Record<string, unknown>;
  if (format === 'tsv') {
    const cols = line.split('\t');
    if (lineNo === 1 && /^(id|item|itemid)$/i.test(cols[0].trim())) return { kind: 'skip' };
    const isUrl = (v: string | undefined) => v !== undefined && /^https?:\/\//.test(v);
    fields = { itemId: cols[0], name: cols[1], genre: isUrl(cols[2]) ? undefined : cols[2], language: isUrl(cols[3]) ? undefined : cols[3] };
  } else {
    try {
      const row: unknown = JSON.parse(line);
      if (typeof row !== 'object' || row === null || Array.isArray(row)) return { kind: 'error', message: 'expected a JSON object {itemId, name, genre, language}' };
      fields = row as Record<string, unknown>;
    } catch {
      return { kind: 'error', message: 'not valid JSON' };
    }
  }
  const itemKey = key(fields.itemId, 'itemId');
  if (typeof itemKey !== 'string') return { kind: 'error', message: itemKey.error };
  const out: ItemLine = { itemKey };
  for (const field of ['name', 'genre', 'language'] as const) {
    const v = optionalText(fields[field], field);
    if (v !== null && typeof v === 'object') return { kind: 'error', message: v.error };
    if (v !== undefined) out[field] = v;
  }
  return { kind: 'ok', value: out };
}
