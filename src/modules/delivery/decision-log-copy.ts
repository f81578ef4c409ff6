import type { DecisionLogRow } from './decision-log';

/**
 * The decision log's rows in PostgreSQL's COPY text format, one line per served ad. The API encodes
 * a row when the decision is made, so a batch travels the queue as one string: BullMQ encodes one
 * flat string instead of a thousand object graphs on the API's thread, the buffered rows a
 * scavenge has to copy are flat strings, and the worker hands the text to COPY untouched.
 */
export const DECISION_LOG_COLUMNS = [
  'decision_id', 'created_at', 'user_id', 'slot_id', 'platform', 'campaign_id', 'creative_id', 'branch', 'method', 'arm', 'fallback',
  'propensity', 'score', 'position', 'explored', 'config_version', 'model_version', 'context', 'features', 'arm_probability',
] as const;

/** Each column's SQL type, for the INSERT that writes decoded lines (COPY parses by the table's types). */
export const DECISION_LOG_COLUMN_TYPES: Readonly<Record<(typeof DECISION_LOG_COLUMNS)[number], string>> = {
  decision_id: 'uuid', created_at: 'timestamptz', user_id: 'text', slot_id: 'uuid', platform: 'text', campaign_id: 'uuid', creative_id: 'uuid',
  branch: 'text', method: 'text', arm: 'text', fallback: 'text', propensity: 'float8', score: 'float8', position: 'int', explored: 'boolean',
  config_version: 'bigint', model_version: 'text', context: 'jsonb', features: 'jsonb', arm_probability: 'float8',
};

const NULL_FIELD = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPE_OF: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const ESCAPE_SEQUENCE = /\\(.)/g;
const UNESCAPE_OF: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r' };

function field(value: string): string {
  // Most fields (ids, names, JSON without escapes) need nothing: test before building a new string.
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, (c) => ESCAPE_OF[c]) : value;
}

function nullableField(value: string | null): string {
  return value === null ? NULL_FIELD : field(value);
}

function numberField(value: number | null): string {
  // String() spells NaN and ±Infinity as float8 input reads them.
  return value === null ? NULL_FIELD : String(value);
}

/**
 * Encodes rows as COPY text lines, each ending in a newline. Rows of one decision share their
 * context and features objects: each is serialized once per call, not once per ad.
 */
export function encodeDecisionLogLines(rows: readonly DecisionLogRow[]): string {
  let text = '';
  let lastContext: unknown = undefined;
  let lastFeatures: unknown = undefined;
  let contextJson = '';
  let featuresJson = NULL_FIELD;
  for (const r of rows) {
    if (r.context !== lastContext) {
      lastContext = r.context;
      contextJson = field(JSON.stringify(r.context));
    }
    if (r.features !== lastFeatures) {
      lastFeatures = r.features;
      featuresJson = r.features === null ? NULL_FIELD : field(JSON.stringify(r.features));
    }
    text +=
      `${r.decisionId}\t${new Date(r.createdAtMs).toISOString()}\t${field(r.userId)}\t${r.slotId}\t${field(r.platform)}\t${r.campaignId}\t${r.creativeId}\t` +
      `${field(r.branch)}\t${field(r.method)}\t${nullableField(r.arm)}\t${nullableField(r.fallback)}\t${numberField(r.propensity)}\t${numberField(r.score)}\t` +
      `${numberField(r.position)}\t${r.explored ? 't' : 'f'}\t${numberField(r.configVersion)}\t${nullableField(r.modelVersion)}\t${contextJson}\t${featuresJson}\t` +
      `${numberField(r.armProbability)}\n`;
  }
  return text;
}

/**
 * Splits COPY text back into lines, each with its fields in DECISION_LOG_COLUMNS order (null for
 * `\N`), for the paths COPY cannot take: PGlite's socket server does not speak COPY's sub-protocol,
 * and a batch PostgreSQL refused is written again with ON CONFLICT, then row by row.
 */
export function decodeDecisionLogLines(text: string): (string | null)[][] {
  const out: (string | null)[][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split('\t').map((raw) => (raw === NULL_FIELD ? null : raw.replace(ESCAPE_SEQUENCE, (_, c: string) => UNESCAPE_OF[c] ?? c)));
    if (fields.length !== DECISION_LOG_COLUMNS.length) throw new RangeError(`decision-log line has ${fields.length} fields, expected ${DECISION_LOG_COLUMNS.length}`);
    out.push(fields);
  }
  return out;
}
