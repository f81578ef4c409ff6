import { RoaringBitmap32 } from 'roaring';
import type { ReadonlyRoaringBitmap32 } from 'roaring';
import { forEachMemberPage } from './attribute-index';
import type { AttributeIndex } from './attribute-index';
import { attributeSpec } from './profile-schema';
import type { ProfileAttribute } from './profile-schema';

/** Audience size: the number of users in a package or rule result. */
export function count(bitmap: ReadonlyRoaringBitmap32): number {
  return bitmap.size;
}

export interface GroupRow {
  value: string;
  count: number;
  /** count / size of the analysed bitmap; for multi-valued attributes shares may sum above 1. */
  share: number;
}

/**
 * Single-valued attributes are counted through the code column when the audience has at most
 * 1/SCAN_AUDIENCE_DIVISOR of the indexed users. Measured on 10M users: a 5% audience over 34
 * zipf-distributed regions took 2.8 ms CPU by scan vs 10.7 ms by 34 andCardinality calls; the
 * scan grows with the audience (about 5.5 ns a member), the bitmap path does not.
 */
export const SCAN_AUDIENCE_DIVISOR = 8;

export interface GroupByOptions {
  /** 'auto' (default) picks per attribute; 'bitmap'/'scan' force a path (scan needs a single-valued attribute). */
  strategy?: 'auto' | 'bitmap' | 'scan';
  /** Keep the top rows by count (categorical/multi only; numeric bins are always all returned). */
  limit?: number;
  /** Numeric attributes: strictly ascending finite boundaries b1 < … < bk → k+1 bins. */
  bins?: readonly number[];
}

export type GroupByResult =
  | {
      kind: 'ok';
      attr: ProfileAttribute;
      total: number;
      /** Users of the bitmap with no value for the attribute; null for multi-valued attributes. */
      missing: number | null;
      rows: GroupRow[];
    }
  | { kind: 'error'; message: string };

function checkBins(bins: readonly number[] | undefined): string | null {
  if (!bins || bins.length === 0) return 'numeric group-by needs bins (ascending boundaries)';
  for (let i = 0; i < bins.length; i++) {
    if (typeof bins[i] !== 'number' || !Number.isFinite(bins[i])) return `bins[${i}] must be a finite number`;
    if (i > 0 && bins[i] <= bins[i - 1]) return `bins must be strictly ascending (bins[${i}] = ${bins[i]} <= ${bins[i - 1]})`;
  }
  return null;
}

/** Labels of the k+1 bins of boundaries b1..bk: '<b1', '[b1,b2)', …, '>=bk'. */
export function binLabels(bins: readonly number[]): string[] {
  const labels = [`<${bins[0]}`];
  for (let i = 1; i < bins.length; i++) labels.push(`[${bins[i - 1]},${bins[i]})`);
  labels.push(`>=${bins[bins.length - 1]}`);
  return labels;
}

/**
 * Split an audience by one attribute. Categorical/boolean/multi: one andCardinality per value
 * bitmap (no materialisation) or, for a small audience and a single-valued attribute, one pass
 * over its members through the code column; rows sorted by count desc then value asc, zero rows dropped;
 * a multi-valued user counts once under each value. Numeric: andCardinality with each bin's
 * users (AttributeIndex.numericBinBitmaps, cached per bin set), rows in bin order, empty bins kept.
 */
export function groupBy(index: AttributeIndex, bitmap: ReadonlyRoaringBitmap32, attr: string, options: GroupByOptions = {}): GroupByResult {
  const spec = attributeSpec(attr);
  if (!spec) return { kind: 'error', message: `unknown attribute '${attr}'` };
  const total = bitmap.size;
  const share = (c: number): number => (total === 0 ? 0 : c / total);
  if (spec.kind === 'numeric') {
    const problem = checkBins(options.bins);
    if (problem) return { kind: 'error', message: problem };
    const bins = options.bins!;
    const column = index.numericColumn(spec.name)!;
    const counts = index.numericBinBitmaps(spec.name, bins).map((binUsers) => bitmap.andCardinality(binUsers));
    const withValue = bitmap.andCardinality(column.present);
    const labels = binLabels(bins);
    return {
      kind: 'ok',
      attr: spec.name,
      total,
      missing: total - withValue,
      rows: counts.map((c, i) => ({ value: labels[i], count: c, share: share(c) })),
    };
  }
  const rows: GroupRow[] = [];
  let covered = 0;
  const codeColumn = index.codeColumn(spec.name);
  const strategy = options.strategy ?? 'auto';
  if (codeColumn && (strategy === 'scan' || (strategy === 'auto' && total * SCAN_AUDIENCE_DIVISOR <= index.size))) {
    // small audience: one pass over its members through the code column beats one
    // andCardinality per value (whose cost follows the value bitmaps' sizes, not the audience's)
    const { codes, valueOfCode } = codeColumn;
    const counts = new Float64Array(valueOfCode.length);
    const limitIdx = codes.length;
    forEachMemberPage(bitmap, (page, length) => {
      for (let i = 0; i < length; i++) {
        const idx = page[i];
        if (idx < limitIdx) counts[codes[idx]]++;
      }
    });
    for (let code = 1; code < counts.length; code++) {
      if (counts[code] === 0) continue;
      covered += counts[code];
      rows.push({ value: valueOfCode[code], count: counts[code], share: share(counts[code]) });
    }
  } else {
    for (const value of index.values(spec.name)) {
      const c = bitmap.andCardinality(index.valueBitmap(spec.name, value)!);
      covered += c;
      if (c > 0) rows.push({ value, count: c, share: share(c) });
    }
  }
  rows.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const limit = options.limit !== undefined && options.limit >= 0 ? Math.floor(options.limit) : rows.length;
  return {
    kind: 'ok',
    attr: spec.name,
    total,
    missing: spec.kind === 'multi' ? null : total - covered,
    rows: rows.slice(0, limit),
  };
}

export type AggregateResult =
  | { kind: 'ok'; attr: ProfileAttribute; count: number; sum: number; avg: number | null; min: number | null; max: number | null }
  | { kind: 'error'; message: string };

/**
 * Sum/avg/min/max of a numeric attribute over the audience members that have it
 * (`count` = how many do). One pass over (audience ∩ presence) in pages; Kahan-compensated sum.
 */
export function aggregate(index: AttributeIndex, bitmap: ReadonlyRoaringBitmap32, attr: string): AggregateResult {
  const spec = attributeSpec(attr);
  if (!spec) return { kind: 'error', message: `unknown attribute '${attr}'` };
  if (spec.kind !== 'numeric') return { kind: 'error', message: `'${attr}' is ${spec.kind}, aggregate needs a numeric attribute` };
  const column = index.numericColumn(spec.name)!;
  const members = RoaringBitmap32.and(bitmap, column.present);
  const values = column.values;
  let sum = 0;
  let compensation = 0;
  let min = Infinity;
  let max = -Infinity;
  forEachMemberPage(members, (page, length) => {
    for (let i = 0; i < length; i++) {
      const v = values[page[i]];
      const y = v - compensation;
      const t = sum + y;
      compensation = t - sum - y;
      sum = t;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  });
  const n = members.size;
  return { kind: 'ok', attr: spec.name, count: n, sum, avg: n === 0 ? null : sum / n, min: n === 0 ? null : min, max: n === 0 ? null : max };
}

export interface OverlapPair {
  a: string;
  b: string;
  intersection: number;
  union: number;
  /** |A∩B| / |A∪B|; 0 when both are empty. */
  jaccard: number;
}

export interface OverlapResult {
  sizes: Record<string, number>;
  /** Every unordered pair, in the input's key order. */
  pairs: OverlapPair[];
  /** Size of the intersection of all the bitmaps (0 for no input). */
  all: number;
}

/** Pairwise and all-way overlap of named audiences, by andCardinality/orCardinality (no materialisation of pairs). */
export function overlap(named: Readonly<Record<string, ReadonlyRoaringBitmap32>>): OverlapResult {
  const names = Object.keys(named);
  const sizes: Record<string, number> = {};
  for (const name of names) sizes[name] = named[name].size;
  const pairs: OverlapPair[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = named[names[i]];
      const b = named[names[j]];
      const intersection = a.andCardinality(b);
      const union = sizes[names[i]] + sizes[names[j]] - intersection;
      pairs.push({ a: names[i], b: names[j], intersection, union, jaccard: union === 0 ? 0 : intersection / union });
    }
  }
  let all = 0;
  if (names.length === 1) all = sizes[names[0]];
  else if (names.length >= 2) {
    const sorted = names.map((n) => named[n]).sort((x, y) => x.size - y.size);
    if (sorted.length === 2) all = sorted[0].andCardinality(sorted[1]);
    else {
      const acc = RoaringBitmap32.and(sorted[0], sorted[1]);
      for (let k = 2; k < sorted.length - 1 && !acc.isEmpty; k++) acc.andInPlace(sorted[k] as RoaringBitmap32);
      all = acc.andCardinality(sorted[sorted.length - 1]);
    }
  }
  return { sizes, pairs, all };
}

export interface CompareRow {
  value: string;
  countA: number;
  shareA: number;
  countB: number;
  shareB: number;
  /** shareA / shareB (a TGI-style index ÷ 100); null when shareB is 0. */
  lift: number | null;
}

export type CompareResult =
  | { kind: 'ok'; sizeA: number; sizeB: number; attributes: { attr: ProfileAttribute; rows: CompareRow[] }[] }
  | { kind: 'error'; message: string };

export interface CompareOptions {
  /** Bin boundaries per numeric attribute (required for each numeric attribute compared). */
  bins?: Readonly<Record<string, readonly number[]>>;
}

/**
 * Profile two audiences side by side: for each attribute, every value present in either, with
 * counts and shares in both (shares relative to each audience's own size). Rows follow A's order
 * (count desc), then values only B has; numeric attributes use bins in bin order.
 */
export function compare(
  index: AttributeIndex,
  a: ReadonlyRoaringBitmap32,
  b: ReadonlyRoaringBitmap32,
  attrs: readonly string[],
  options: CompareOptions = {},
): CompareResult {
  const attributes: { attr: ProfileAttribute; rows: CompareRow[] }[] = [];
  for (const attr of attrs) {
    const bins = options.bins?.[attr];
    const ga = groupBy(index, a, attr, { bins });
    if (ga.kind === 'error') return { kind: 'error', message: `${attr}: ${ga.message}` };
    const gb = groupBy(index, b, attr, { bins });
    if (gb.kind === 'error') return { kind: 'error', message: `${attr}: ${gb.message}` };
    const byValueB = new Map(gb.rows.map((r) => [r.value, r]));
    const rows: CompareRow[] = [];
    const emit = (value: string, countA: number, shareA: number): void => {
      const rb = byValueB.get(value);
      const shareB = rb?.share ?? 0;
      rows.push({ value, countA, shareA, countB: rb?.count ?? 0, shareB, lift: shareB === 0 ? null : shareA / shareB });
    };
    for (const r of ga.rows) emit(r.value, r.count, r.share);
    const seen = new Set(ga.rows.map((r) => r.value));
    for (const r of gb.rows) if (!seen.has(r.value)) emit(r.value, 0, 0);
    attributes.push({ attr: ga.attr, rows });
  }
  return { kind: 'ok', sizeA: a.size, sizeB: b.size, attributes };
}
