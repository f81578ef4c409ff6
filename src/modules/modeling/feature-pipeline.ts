import {
  buildVocabulary,
  crossFeatures,
  discretize,
  equalFrequencyBoundaries,
  fitTfidf,
  transformTfidf,
  type TfidfModel,
  type Vocabulary,
} from '../../engine/transform/transforms';
import { rankFeatures, type CriterionName, type FeatureScores } from '../../engine/criteria/feature-criteria';

/** What one decision looked like when it was made: the same shape at training and at serving time. */
export interface RawRow {
  readonly atMs: number;
  readonly platform: string;
  readonly profile: Readonly<Record<string, unknown>> | null;
  readonly context: Readonly<Record<string, unknown>>;
}

export interface RawExample extends RawRow {
  readonly label: 0 | 1;
}

export interface TransformOptions {
  /** Equal-frequency bins of numeric variables (criteria and report; the trees see the raw value). */
  numericBins: number;
  /** Categoricals with at most this many known values are one-hot encoded, others ordinal. 0 = always ordinal. */
  oneHotMaxCategories: number;
  /** Values seen fewer times than this go to the unknown bucket. */
  minCategoryCount: number;
  maxCategories: number;
  /** Crossed pairs of categorical variables; null = platform × each low-cardinality profile categorical (at most 3). */
  crosses: [string, string][] | null;
  /** tf-idf terms of the listener's tag lists (genres, artists, languages, moods, tempos) kept as features. */
  maxTextTerms: number;
  minTextDf: number;
}

export const DEFAULT_TRANSFORM_OPTIONS: TransformOptions = {
  numericBins: 8,
  oneHotMaxCategories: 8,
  minCategoryCount: 2,
  maxCategories: 50,
  crosses: null,
  maxTextTerms: 20,
  minTextDf: 2,
};

export type VariableKind = 'numeric' | 'categorical' | 'cross' | 'text';

/** One input variable and how it becomes model columns. */
export type VariableSpec =
  | { kind: 'numeric'; name: string; boundaries: number[] }
  | { kind: 'categorical'; name: string; tokens: string[]; encoding: 'ordinal' | 'onehot' }
  | { kind: 'cross'; name: string; a: string; b: string; tokens: string[] }
  | { kind: 'text'; name: string; term: string; termIndex: number };

export interface TransformSpec {
  variables: VariableSpec[];
  /** Shared by every 'text' variable: the restricted tf-idf model over the listener's tag lists. */
  tfidf: { terms: string[]; idf: number[] };
}

const TEXT_SOURCES = ['genres', 'artists', 'languages', 'moods', 'tempos'];
const CROSS_WITH_PLATFORM = ['vipLevel', 'ageBand', 'gender', 'cityTier', 'activityState'];

type Flat = Map<string, string | number | null>;

/** Flattens a row into named raw values: platform, hour, user.<attr>, ctx.<key>; lists are left to the text variables. */
export function flattenRow(row: RawRow): Flat {
  const out: Flat = new Map();
  out.set('platform', row.platform);
  const hour = row.context.hour;
  out.set('hour', typeof hour === 'number' && Number.isFinite(hour) ? hour : new Date(row.atMs).getUTCHours());
  for (const [key, value] of Object.entries(row.profile ?? {})) {
    if (Array.isArray(value)) continue;
    out.set(`user.${key}`, scalar(value));
  }
  for (const [key, value] of Object.entries(row.context)) {
    if (key === 'hour' || Array.isArray(value)) continue;
    out.set(`ctx.${key}`, scalar(value));
  }
  return out;
}

function scalar(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return String(value);
}

function textDocument(row: RawRow): string {
  const parts: string[] = [];
  for (const source of TEXT_SOURCES) {
    const value = row.profile?.[source];
    if (Array.isArray(value)) parts.push(value.map(String).join(' '));
  }
  return parts.join(' ');
}

function categoryOf(value: string | number | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

function vocabularyOf(tokens: string[]): Vocabulary {
  return { tokens, index: new Map(tokens.map((t, i) => [t, i + 1])) };
}

/** Learns the variables (kinds, bins, vocabularies, crosses, tf-idf terms) from training rows only. */
export function fitTransform(rows: readonly RawRow[], options: TransformOptions = DEFAULT_TRANSFORM_OPTIONS): TransformSpec {
  const flats = rows.map(flattenRow);
  const names = new Set<string>();
  for (const flat of flats) for (const name of flat.keys()) names.add(name);
  const variables: VariableSpec[] = [];
  const categoricals: string[] = [];
  for (const name of [...names].sort()) {
    const values = flats.map((f) => f.get(name) ?? null);
    const present = values.filter((v) => v !== null);
    if (present.length === 0) continue;
    if (present.every((v) => typeof v === 'number')) {
      const numbers = values.map((v) => (typeof v === 'number' ? v : NaN));
      variables.push({ kind: 'numeric', name, boundaries: equalFrequencyBoundaries(numbers, options.numericBins) });
      continue;
    }
    const vocabulary = buildVocabulary(values.map(categoryOf), { minCount: options.minCategoryCount, maxSize: options.maxCategories });
    if (vocabulary.tokens.length === 0) continue;
    const encoding = vocabulary.tokens.length <= options.oneHotMaxCategories ? 'onehot' : 'ordinal';
    variables.push({ kind: 'categorical', name, tokens: vocabulary.tokens, encoding });
    categoricals.push(name);
  }
  const pairs =
    options.crosses ??
    CROSS_WITH_PLATFORM.map((attr): [string, string] => ['platform', `user.${attr}`])
      .filter(([, b]) => categoricals.includes(b))
      .slice(0, 3);
  for (const [a, b] of pairs) {
    if (!categoricals.includes(a) || !categoricals.includes(b)) continue;
    const crossed = crossFeatures(
      flats.map((f) => categoryOf(f.get(a))),
      flats.map((f) => categoryOf(f.get(b))),
    );
    const vocabulary = buildVocabulary(crossed, { minCount: options.minCategoryCount, maxSize: options.maxCategories });
    if (vocabulary.tokens.length > 0) variables.push({ kind: 'cross', name: `${a}*${b}`, a, b, tokens: vocabulary.tokens });
  }
  const documents = rows.map(textDocument);
  const full = fitTfidf(documents);
  const df = new Map<string, number>();
  for (const doc of documents) for (const term of new Set(doc.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [])) df.set(term, (df.get(term) ?? 0) + 1);
  const kept = full.terms
    .map((term, i) => ({ term, idf: full.idf[i], df: df.get(term) ?? 0 }))
    .filter((t) => t.df >= options.minTextDf)
    .sort((x, y) => y.df - x.df || (x.term < y.term ? -1 : 1))
    .slice(0, options.maxTextTerms)
    .sort((x, y) => (x.term < y.term ? -1 : 1));
  kept.forEach((t, i) => variables.push({ kind: 'text', name: `tags:${t.term}`, term: t.term, termIndex: i }));
  return { variables, tfidf: { terms: kept.map((t) => t.term), idf: kept.map((t) => t.idf) } };
}

/** Model column names in order: one per numeric/ordinal/cross/text variable, one per token (+ unknown) of a one-hot variable. */
export function columnNames(spec: TransformSpec): string[] {
  const names: string[] = [];
  for (const v of spec.variables) {
    if (v.kind === 'categorical' && v.encoding === 'onehot') {
      names.push(`${v.name}=__unknown__`, ...v.tokens.map((t) => `${v.name}=${t}`));
    } else {
      names.push(v.name);
    }
  }
  return names;
}

/**
 * Row-major float32 feature matrix for the GBDT / ONNX model. Numeric: raw value (NaN = missing);
 * ordinal and cross: vocabulary code (0 = unknown or missing); one-hot: indicator columns; text: tf-idf weight.
 */
export function encodeRows(spec: TransformSpec, rows: readonly RawRow[]): Float32Array {
  const width = columnNames(spec).length;
  const out = new Float32Array(rows.length * width);
  const tfidf: TfidfModel = { terms: spec.tfidf.terms, idf: Float64Array.from(spec.tfidf.idf) };
  const needsText = spec.variables.some((v) => v.kind === 'text');
  const vocabularies = new Map<string, Vocabulary>();
  for (const v of spec.variables) if (v.kind === 'categorical' || v.kind === 'cross') vocabularies.set(v.name, vocabularyOf(v.tokens));
  rows.forEach((row, r) => {
    const flat = flattenRow(row);
    const text = needsText ? transformTfidf(tfidf, [textDocument(row)])[0] : null;
    let c = r * width;
    for (const v of spec.variables) {
      if (v.kind === 'numeric') {
        const x = flat.get(v.name);
        out[c++] = typeof x === 'number' ? x : NaN;
      } else if (v.kind === 'categorical') {
        const code = vocabularies.get(v.name)!.index.get(categoryOf(flat.get(v.name)) ?? '') ?? 0;
        if (v.encoding === 'onehot') {
          out[c + code] = 1;
          c += v.tokens.length + 1;
        } else {
          out[c++] = code;
        }
      } else if (v.kind === 'cross') {
        const token = crossFeatures([categoryOf(flat.get(v.a))], [categoryOf(flat.get(v.b))])[0];
        out[c++] = vocabularies.get(v.name)!.index.get(token) ?? 0;
      } else {
        const at = text!.indices.indexOf(v.termIndex);
        out[c++] = at >= 0 ? text!.values[at] : 0;
      }
    }
  });
  return out;
}

/** Discrete value of a variable per row, for the criteria and the per-bin report: bin index, token, or term presence. */
export function discreteColumn(spec: TransformSpec, variable: VariableSpec, rows: readonly RawRow[]): string[] {
  if (variable.kind === 'text') {
    return rows.map((row) => (new Set(textDocument(row).toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? []).has(variable.term) ? 'present' : 'absent'));
  }
  const flats = rows.map(flattenRow);
  if (variable.kind === 'numeric') {
    const bins = discretize(
      flats.map((f) => {
        const x = f.get(variable.name);
        return typeof x === 'number' ? x : NaN;
      }),
      variable.boundaries,
    );
    return Array.from(bins, (b) => (b < 0 ? 'missing' : binLabel(variable.boundaries, b)));
  }
  const known = new Set(variable.tokens);
  const values =
    variable.kind === 'cross'
      ? crossFeatures(
          flats.map((f) => categoryOf(f.get(variable.a))),
          flats.map((f) => categoryOf(f.get(variable.b))),
        )
      : flats.map((f) => categoryOf(f.get(variable.name)) ?? 'missing');
  return values.map((v) => (known.has(v) ? v : v === 'missing' ? 'missing' : '(other)'));
}

/** "[lo, hi)" label of bin b given the sorted boundaries (bin b = values with exactly b boundaries ≤ them). */
export function binLabel(boundaries: readonly number[], bin: number): string {
  const lo = bin === 0 ? '-∞' : String(boundaries[bin - 1]);
  const hi = bin === boundaries.length ? '∞' : String(boundaries[bin]);
  return `[${lo}, ${hi})`;
}

export interface VariableReport {
  name: string;
  kind: VariableKind;
  scores: FeatureScores;
  rank: number;
  kept: boolean;
  /** Bins or categories with their example count, clicks and CTR. */
  bins: { label: string; count: number; positives: number; ctr: number }[];
  boundaries?: number[];
  encoding?: 'ordinal' | 'onehot';
}

export interface CriteriaOptions {
  criterion: CriterionName;
  /** Variables scoring below this (in bits for the entropy criteria) are dropped. */
  minScore: number;
  /** Kept when every variable falls below the threshold, so that a model can still be trained. */
  keepAtLeast: number;
}

export const DEFAULT_CRITERIA_OPTIONS: CriteriaOptions = { criterion: 'infoGain', minScore: 1e-4, keepAtLeast: 3 };

/** Scores every variable with the four criteria, keeps those above the threshold, and tabulates CTR per bin. */
export function selectVariables(
  spec: TransformSpec,
  examples: readonly RawExample[],
  options: CriteriaOptions = DEFAULT_CRITERIA_OPTIONS,
): { spec: TransformSpec; report: VariableReport[] } {
  const labels = examples.map((e) => e.label);
  const columns: Record<string, string[]> = {};
  for (const v of spec.variables) columns[v.name] = discreteColumn(spec, v, examples);
  const ranked = rankFeatures(columns, labels, { criterion: options.criterion, minScore: options.minScore });
  const keep = new Set(ranked.kept);
  for (const r of ranked.ranked) if (keep.size < options.keepAtLeast) keep.add(r.name);
  const byName = new Map(spec.variables.map((v) => [v.name, v]));
  const report = ranked.ranked.map((r): VariableReport => {
    const variable = byName.get(r.name)!;
    const counts = new Map<string, { count: number; positives: number }>();
    columns[r.name].forEach((value, i) => {
      const c = counts.get(value) ?? { count: 0, positives: 0 };
      c.count++;
      c.positives += labels[i];
      counts.set(value, c);
    });
    const order = variable.kind === 'numeric' ? ['missing', ...Array.from({ length: variable.boundaries.length + 1 }, (_, b) => binLabel(variable.boundaries, b))] : [...counts.keys()].sort();
    return {
      name: r.name,
      kind: variable.kind,
      scores: r.scores,
      rank: r.rank,
      kept: keep.has(r.name),
      bins: order.filter((label) => counts.has(label)).map((label) => ({ label, ...counts.get(label)!, ctr: counts.get(label)!.positives / counts.get(label)!.count })),
      ...(variable.kind === 'numeric' ? { boundaries: variable.boundaries } : {}),
      ...(variable.kind === 'categorical' ? { encoding: variable.encoding } : {}),
    };
  });
  const kept = spec.variables.filter((v) => keep.has(v.name));
  // Text variables index into the shared tf-idf model by term, so the model is kept whole.
  return { spec: { variables: kept, tfidf: spec.tfidf }, report };
}
