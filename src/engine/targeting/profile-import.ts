import { createCsvRecordReader } from './csv-line';
import { parseProfileRecord } from './profile-schema';
import type { FieldError, ListenerProfile } from './profile-schema';

export type ProfileImportFormat = 'csv' | 'ndjson';

export type ProfileLineResult =
  | { kind: 'profile'; lineNo: number; userKey: string; profile: ListenerProfile; ignoredFields: string[] }
  | { kind: 'skip'; lineNo: number; reason: 'blank' | 'header' | 'pending' }
  | { kind: 'error'; lineNo: number; errors: FieldError[] };

export interface ProfileImportReader {
  /** Feed the next physical line (without '\n'); lines are numbered from 1. */
  pushLine(line: string): ProfileLineResult;
  /** Call at end of input; reports a CSV quoted field left open or a missing header. */
  finish(): { kind: 'ok' } | { kind: 'error'; lineNo: number; errors: FieldError[] };
}

/**
 * Streaming profile import: NDJSON (one JSON object a line) or CSV whose first record is the
 * header. Each line yields a parsed profile, a skip, or field-level errors naming the line, so
 * an import job can count, report and continue without holding the file in memory.
 */
export function createProfileImportReader(format: ProfileImportFormat): ProfileImportReader {
  let lineNo = 0;
  if (format === 'ndjson') {
    return {
      pushLine(line: string): ProfileLineResult {
        lineNo++;
        const text = lineNo === 1 ? line.replace(/^\uFEFF/, '') : line;
        if (text.trim().length === 0) return { kind: 'skip', lineNo, reason: 'blank' };
        let record: unknown;
        try {
          record = JSON.parse(text);
        } catch (error) {
          return { kind: 'error', lineNo, errors: [{ field: '', message: `line ${lineNo}: not valid JSON (${error instanceof Error ? error.message : String(error)})` }] };
        }
        const parsed = parseProfileRecord(record as Record<string, unknown>, lineNo);
        return parsed.kind === 'ok' ? { kind: 'profile', lineNo, ...withoutKind(parsed) } : { kind: 'error', lineNo, errors: parsed.errors };
      },
      finish: () => ({ kind: 'ok' }),
    };
  }
  const csv = createCsvRecordReader();
  let header: string[] | null = null;
  return {
    pushLine(line: string): ProfileLineResult {
      lineNo++;
      // blank lines go through the CSV reader too: inside an open quoted field they are data
      const r = csv.pushLine(lineNo === 1 ? line.replace(/^\uFEFF/, '') : line);
      if (r.kind === 'pending') return { kind: 'skip', lineNo, reason: 'pending' };
      if (r.kind === 'error') return { kind: 'error', lineNo: r.lineNo, errors: [{ field: '', message: `line ${r.lineNo}: ${r.message}` }] };
      if (r.fields.length === 1 && r.fields[0].trim() === '') return { kind: 'skip', lineNo, reason: 'blank' };
      if (header === null) {
        header = r.fields.map((f) => f.trim());
        return { kind: 'skip', lineNo, reason: 'header' };
      }
      return rowResult(r.fields, r.lineNo);
    },
    finish() {
      const r = csv.finish();
      if (r.kind === 'error') return { kind: 'error', lineNo: r.lineNo, errors: [{ field: '', message: `line ${r.lineNo}: ${r.message}` }] };
      if (header === null) return { kind: 'error', lineNo: 0, errors: [{ field: '', message: 'CSV has no header line' }] };
      return { kind: 'ok' };
    },
  };

  function rowResult(fields: string[], recordLine: number): ProfileLineResult {
    const names = header!;
    if (fields.length !== names.length) {
      return { kind: 'error', lineNo: recordLine, errors: [{ field: '', message: `line ${recordLine}: ${fields.length} columns, header has ${names.length}` }] };
    }
    const record: Record<string, unknown> = {};
    names.forEach((name, i) => (record[name] = fields[i]));
    const parsed = parseProfileRecord(record, recordLine);
    return parsed.kind === 'ok' ? { kind: 'profile', lineNo: recordLine, ...withoutKind(parsed) } : { kind: 'error', lineNo: recordLine, errors: parsed.errors };
  }
}

function withoutKind<T extends { kind: string }>(value: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = value;
  return rest;
}
