/**
 * Feature transforms used before the criteria and the models: equal-frequency discretisation, categorical crosses,
 * vocabulary-based ordinal / one-hot encoding with an unknown bucket, and tf-idf of short texts.
 */

// ---------- discretisation ----------

/**
 * Equal-frequency (quantile) bin boundaries of the non-missing values: boundary b (1 ≤ b < binCount) is the sorted
 * value at rank ⌊b·n / binCount⌋; duplicates and boundaries equal to the minimum are dropped, so heavy ties give
 * fewer bins. A value's bin is the number of boundaries ≤ it, hence bins are [boundary_{b−1}, boundary_b).
 * @param values any order; NaN = missing (ignored)
 * @param binCount requested number of bins (≥ 1)
 * @returns strictly increasing boundaries, length ≤ binCount − 1
 */
export function equalFrequencyBoundaries(values: ArrayLike<number>, binCount: number): number[] {
  const sorted = Array.from(values).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const n = sorted.length;
  const boundaries: number[] = [];
  if (n === 0) return boundaries;
  let last = sorted[0];
  for (let b = 1; b < binCount; b++) {
    const v = sorted[Math.floor((b * n) / binCount)];
    if (v > last) {
      boundaries.push(v);
      last = v;
    }
  }
  return boundaries;
}

/** Bin index (= number of boundaries ≤ x) per value; NaN → `missingBin` (default −1). */
export function discretize(values: ArrayLike<number>, boundaries: readonly number[], missingBin = -1): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (Number.isNaN(x)) {
      out[i] = missingBin;
      continue;
    }
    let lo = 0;
    let hi = boundaries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (boundaries[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

// ---------- crosses ----------

export type Category = string | number | boolean | null | undefined;

const MISSING_TOKEN = '__missing__';

function token(v: Category): string {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? MISSING_TOKEN : String(v);
}

/** Element-wise cross of two categorical columns: `${a}${separator}${b}`; missing values become "__missing__". */
export function crossFeatures(a: ArrayLike<Category>, b: ArrayLike<Category>, separator = '_x_'): string[] {
  if (a.length !== b.length) throw new RangeError('crossed columns must have the same length');
  return Array.from({ length: a.length }, (_, i) => `${token(a[i])}${separator}${token(b[i])}`);
}

// ---------- vocabulary encodings ----------

/** Known tokens in code order; code 0 is reserved for unknown (unseen, rare or missing) values, token i has code i + 1. */
export interface Vocabulary {
  tokens: string[];
  index: ReadonlyMap<string, number>;
}

export interface VocabularyOptions {
  /** Tokens seen fewer times are left to the unknown bucket (default 1). */
  minCount?: number;
  /** Keep at most this many tokens, most frequent first (default unlimited). */
  maxSize?: number;
}

/** Builds a vocabulary ordered by descending frequency, ties by token (code-unit order); missing values are never tokens. */
export function buildVocabulary(values: ArrayLike<Category>, options: VocabularyOptions = {}): Vocabulary {
  const counts = new Map<string, number>();
  for (let i = 0; i < values.length; i++) {
    const t = token(values[i]);
    if (t !== MISSING_TOKEN) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const minCount = options.minCount ?? 1;
  const tokens = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, options.maxSize ?? Infinity)
    .map(([t]) => t);
  return { tokens, index: new Map(tokens.map((t, i) => [t, i + 1])) };
}

/** Ordinal codes: 0 = unknown, 1..V = vocabulary tokens. */
export function ordinalEncode(values: ArrayLike<Category>, vocabulary: Vocabulary): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = vocabulary.index.get(token(values[i])) ?? 0;
  return out;
}

/** One-hot rows, row-major [values.length, V + 1]; column 0 is the unknown bucket. */
export function oneHotEncode(values: ArrayLike<Category>, vocabulary: Vocabulary): Float32Array {
  const width = vocabulary.tokens.length + 1;
  const out = new Float32Array(values.length * width);
  const codes = ordinalEncode(values, vocabulary);
  for (let i = 0; i < codes.length; i++) out[i * width + codes[i]] = 1;
  return out;
}

// ---------- tf-idf ----------

/** Lower-cased runs of ≥ 2 Unicode letters/digits/underscores (scikit-learn's default token pattern). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]{2,}/gu) ?? [];
}

export interface TfidfModel {
  /** Terms in code-unit order; a term's column is its position. */
  terms: string[];
  /** Smoothed idf per term: ln((1 + n) / (1 + df)) + 1. */
  idf: Float64Array;
}

export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

/** Learns the vocabulary and smoothed idf (as scikit-learn's TfidfVectorizer with smooth_idf=True) from documents. */
export function fitTfidf(documents: readonly string[]): TfidfModel {
  const df = new Map<string, number>();
  for (const doc of documents) for (const term of new Set(tokenize(doc))) df.set(term, (df.get(term) ?? 0) + 1);
  const terms = [...df.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const n = documents.length;
  return { terms, idf: Float64Array.from(terms, (t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1) };
}

/**
 * tf-idf vectors: raw term count × idf, then L2-normalised per document (an empty or all-unknown document stays zero).
 * Terms outside the model's vocabulary are ignored. Indices ascend.
 */
export function transformTfidf(model: TfidfModel, documents: readonly string[]): SparseVector[] {
  const column = new Map(model.terms.map((t, i) => [t, i]));
  return documents.map((doc) => {
    const counts = new Map<number, number>();
    for (const term of tokenize(doc)) {
      const c = column.get(term);
      if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const indices = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
    const values = Float64Array.from(indices, (c) => counts.get(c)! * model.idf[c]);
    let norm = 0;
    for (const v of values) norm += v * v;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < values.length; i++) values[i] /= norm;
    return { indices, values };
  });
}
