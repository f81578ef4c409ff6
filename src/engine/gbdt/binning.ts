/**
 * Histogram binning for the GBDT trainer.
 *
 * Each feature f gets ascending float32 cut points `cuts[f]`; the value bin of x is the number of cuts ≤ x,
 * so `bin(x) ≤ k ⇔ x < cuts[f][k]`, which is exactly the split rule `x < threshold` with threshold = cuts[f][k].
 * Cuts are always values that occur in the data, hence float32-exact.
 *
 * The binned matrix stores, per (row, feature), a global slot: feature f owns slots
 * [slotOffset[f], slotOffset[f + 1]); the last of them is the missing-value (NaN) slot.
 * One histogram then is a flat array over all slots.
 */
export interface BinnedMatrix {
  rowCount: number;
  featureCount: number;
  cuts: Float32Array[];
  /** featureCount + 1 entries. */
  slotOffset: Uint32Array;
  totalSlots: number;
  /** Row-major global slot per (row, feature): the layout histogram building wants. */
  slots: Uint16Array | Uint32Array;
  /**
   * Column-major local bin per (feature, row): `bins[f * rowCount + r]` = slot − slotOffset[f]
   * (the missing bin is the feature's last). Partitioning reads one feature for ascending rows, which this keeps cache-friendly.
   */
  bins: Uint8Array | Uint16Array;
  /** Smallest non-missing value per feature (NaN if none): the threshold of a "missing vs present" split. */
  minValue: Float32Array;
  /** Per feature, the global slot holding most of its rows (e.g. the 0 of a one-hot column). */
  defaultSlot: Uint32Array;
  /**
   * When most entries sit in their feature's default slot: per row, only the other slots (CSR). Histograms then
   * touch those and derive each default slot as node total − the feature's other slots (LightGBM's most-frequent-bin trick).
   */
  sparse: { rowStart: Uint32Array; slots: Uint16Array | Uint32Array } | null;
}

export type HistogramLayout = 'auto' | 'dense' | 'sparse';

export interface BinMatrixOptions {
  /** Precomputed cuts (e.g. to bin a validation set like the training set). */
  cuts?: Float32Array[];
  /** 'auto' (default) builds the sparse rows when over half of all entries are default slots. */
  layout?: HistogramLayout;
}

/**
 * Quantile cut points of one feature's non-missing values (unweighted equal-frequency).
 * With at most `maxBin` distinct values every distinct value gets its own bin.
 * @param column values of one feature (NaN = missing), any order
 * @param maxBin maximum number of value bins (≥ 2)
 * @returns ascending, strictly increasing float32 cuts, length ≤ maxBin − 1
 */
export function quantileCuts(column: Float32Array, maxBin: number): Float32Array {
  // Low-cardinality columns (flags, ordinal codes) are common: collect distinct values first and skip the full sort.
  const distinctValues = new Set<number>();
  let n = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v !== v) continue;
    n++;
    if (distinctValues.size <= maxBin) distinctValues.add(v === 0 ? 0 : v);
  }
  if (n === 0) return new Float32Array(0);
  if (distinctValues.size <= maxBin) return Float32Array.from(distinctValues).sort().subarray(1);
  const sorted = new Float32Array(n);
  let k = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v === v) sorted[k++] = v;
  }
  sorted.sort();
  const cuts: number[] = [];
  let last = sorted[0];
  for (let b = 1; b < maxBin; b++) {
    const v = sorted[Math.floor((b * n) / maxBin)];
    if (v > last) {
      cuts.push(v);
      last = v;
    }
  }
  return Float32Array.from(cuts);
}

/** Number of cuts ≤ x (upper-bound binary search); x must not be NaN. */
export function valueBin(cuts: Float32Array, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cuts[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bins a dense row-major float32 matrix (NaN = missing) with at most `maxBin` value bins per feature. */
export function binMatrix(
  values: Float32Array,
  rowCount: number,
  featureCount: number,
  maxBin: number,
  options: BinMatrixOptions = {},
): BinnedMatrix {
  const cuts = options.cuts;
  const featureCuts: Float32Array[] = cuts ?? [];
  if (!cuts) {
    const column = new Float32Array(rowCount);
    for (let f = 0; f < featureCount; f++) {
      for (let r = 0; r < rowCount; r++) column[r] = values[r * featureCount + f];
      featureCuts.push(quantileCuts(column, maxBin));
    }
  }
  const slotOffset = new Uint32Array(featureCount + 1);
  for (let f = 0; f < featureCount; f++) slotOffset[f + 1] = slotOffset[f] + featureCuts[f].length + 2;
  const totalSlots = slotOffset[featureCount];
  const size = rowCount * featureCount;
  const slots = totalSlots <= 0xffff ? new Uint16Array(size) : new Uint32Array(size);
  let maxSlotsPerFeature = 0;
  for (let f = 0; f < featureCount; f++) maxSlotsPerFeature = Math.max(maxSlotsPerFeature, slotOffset[f + 1] - slotOffset[f]);
  const bins = maxSlotsPerFeature <= 256 ? new Uint8Array(size) : new Uint16Array(size);
  const minValue = new Float32Array(featureCount).fill(NaN);
  for (let f = 0; f < featureCount; f++) {
    const c = featureCuts[f];
    let min = Infinity;
    const base = slotOffset[f];
    const missingSlot = slotOffset[f + 1] - 1;
    for (let r = 0; r < rowCount; r++) {
      const i = r * featureCount + f;
      const x = values[i];
      if (x < min) min = x;
      const slot = x === x ? base + valueBin(c, x) : missingSlot;
      slots[i] = slot;
      bins[f * rowCount + r] = slot - base;
    }
    if (min !== Infinity) minValue[f] = min;
  }

  const defaultSlot = new Uint32Array(featureCount);
  let defaultEntries = 0;
  for (let f = 0; f < featureCount; f++) {
    const width = slotOffset[f + 1] - slotOffset[f];
    const counts = new Uint32Array(width);
    const column = f * rowCount;
    for (let r = 0; r < rowCount; r++) counts[bins[column + r]]++;
    let best = 0;
    for (let b = 1; b < width; b++) if (counts[b] > counts[best]) best = b;
    defaultSlot[f] = slotOffset[f] + best;
    defaultEntries += counts[best];
  }
  const layout = options.layout ?? 'auto';
  const useSparse = layout === 'sparse' || (layout === 'auto' && defaultEntries * 2 > size);
  let sparse: BinnedMatrix['sparse'] = null;
  if (useSparse) {
    const rowStart = new Uint32Array(rowCount + 1);
    const sparseSlots = totalSlots <= 0xffff ? new Uint16Array(size - defaultEntries) : new Uint32Array(size - defaultEntries);
    let k = 0;
    for (let r = 0; r < rowCount; r++) {
      rowStart[r] = k;
      const base = r * featureCount;
      for (let f = 0; f < featureCount; f++) {
        const slot = slots[base + f];
        if (slot !== defaultSlot[f]) sparseSlots[k++] = slot;
      }
    }
    rowStart[rowCount] = k;
    sparse = { rowStart, slots: sparseSlots };
  }
  return { rowCount, featureCount, cuts: featureCuts, slotOffset, totalSlots, slots, bins, minValue, defaultSlot, sparse };
}
