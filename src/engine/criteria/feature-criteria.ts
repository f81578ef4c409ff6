/**
 * Filter criteria for discrete features against a discrete class, as FSelector / C4.5 / CART define them.
 *
 * Units: entropies are in bits (log2) by default, as in Quinlan's C4.5. FSelector's `information.gain` defaults
 * to natural log (`unit = "log"`); pass `unit: 'nats'` to match it. Gain ratio and symmetrical uncertainty are
 * ratios of entropies and do not depend on the unit; the Gini decrease has no log at all.
 *
 * Missing values (null, undefined, NaN) form their own category of X, so a feature whose missingness predicts
 * the class is credited for it. Continuous features must be discretised first (see src/engine/transform).
 */

export type EntropyUnit = 'bits' | 'nats';
export type CategoryValue = number | string | boolean | null | undefined;
export type CriterionName = 'infoGain' | 'gainRatio' | 'symmetricalUncertainty' | 'gini';

const MISSING = '\u0000missing';

function categoryKey(v: CategoryValue): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return MISSING;
  return typeof v === 'string' ? `s:${v}` : `v:${String(v)}`;
}

/** Entropy −Σ p log p of a count vector (zero counts skipped). 0 for an empty vector. */
export function entropy(counts: ArrayLike<number>, unit: EntropyUnit = 'bits'): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i];
  if (n === 0) return 0;
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0) h -= (c / n) * Math.log(c / n);
  }
  return unit === 'bits' ? h / Math.LN2 : h;
}

/** Gini impurity 1 − Σ p_k² of a count vector. 0 for an empty vector. */
export function giniImpurity(counts: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i];
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += (counts[i] / n) ** 2;
  return 1 - s;
}

/** Contingency table: rows = categories of X (first-seen order), columns = classes of Y (first-seen order). */
export interface Contingency {
  featureCategories: string[];
  classes: string[];
  counts: number[][];
  rowTotals: number[];
  classTotals: number[];
  total: number;
}

/** Counts (x, y) pairs; feature and labels must have equal length. */
export function contingency(feature: ArrayLike<CategoryValue>, labels: ArrayLike<CategoryValue>): Contingency {
  if (feature.length !== labels.length) throw new RangeError('feature and labels must have the same length');
  const xIndex = new Map<string, number>();
  const yIndex = new Map<string, number>();
  const counts: number[][] = [];
  const classTotals: number[] = [];
  for (let i = 0; i < feature.length; i++) {
    const xk = categoryKey(feature[i]);
    const yk = categoryKey(labels[i]);
    let xi = xIndex.get(xk);
    if (xi === undefined) {
      xi = xIndex.size;
      xIndex.set(xk, xi);
      counts.push(new Array(yIndex.size).fill(0));
    }
    let yi = yIndex.get(yk);
    if (yi === undefined) {
      yi = yIndex.size;
      yIndex.set(yk, yi);
      classTotals.push(0);
      for (const row of counts) row.push(0);
    }
    counts[xi][yi]++;
    classTotals[yi]++;
  }
  const strip = (k: string) => (k === MISSING ? 'missing' : k.slice(2));
  return {
    featureCategories: [...xIndex.keys()].map(strip),
    classes: [...yIndex.keys()].map(strip),
    counts,
    rowTotals: counts.map((row) => row.reduce((a, b) => a + b, 0)),
    classTotals,
    total: feature.length,
  };
}

export interface FeatureScores {
  /** H(Y) − H(Y|X). */
  infoGain: number;
  /** IG / H(X) (C4.5); 0 when H(X) = 0. */
  gainRatio: number;
  /** 2·IG / (H(X) + H(Y)) (FSelector symmetrical.uncertainty); 0 when both entropies are 0. */
  symmetricalUncertainty: number;
  /** CART impurity decrease Gini(Y) − Σ_x p(x)·Gini(Y | X = x). */
  gini: number;
}

/** All four criteria from one contingency table (see module comment for units). */
export function scoresFromContingency(table: Contingency, unit: EntropyUnit = 'bits'): FeatureScores {
  const { counts, rowTotals, classTotals, total } = table;
  if (total === 0) return { infoGain: 0, gainRatio: 0, symmetricalUncertainty: 0, gini: 0 };
  const hy = entropy(classTotals, unit);
  const hx = entropy(rowTotals, unit);
  let hyGivenX = 0;
  let giniGivenX = 0;
  counts.forEach((row, i) => {
    const w = rowTotals[i] / total;
    hyGivenX += w * entropy(row, unit);
    giniGivenX += w * giniImpurity(row);
  });
  // Clamp tiny negative values from rounding when X carries no information.
  const infoGain = Math.max(0, hy - hyGivenX);
  return {
    infoGain,
    gainRatio: hx > 0 ? infoGain / hx : 0,
    symmetricalUncertainty: hx + hy > 0 ? (2 * infoGain) / (hx + hy) : 0,
    gini: Math.max(0, giniImpurity(classTotals) - giniGivenX),
  };
}

/** Scores one discrete feature against the class labels. */
export function scoreFeature(feature: ArrayLike<CategoryValue>, labels: ArrayLike<CategoryValue>, unit: EntropyUnit = 'bits'): FeatureScores {
  return scoresFromContingency(contingency(feature, labels), unit);
}

export interface RankThreshold {
  /** Criterion that orders the features. */
  criterion: CriterionName;
  /** Keep only features scoring ≥ this (inclusive). */
  minScore?: number;
  /** Keep at most this many of the best features (FSelector cutoff.k). */
  topK?: number;
  unit?: EntropyUnit;
}

export interface RankedFeature {
  name: string;
  rank: number;
  scores: FeatureScores;
  isKept: boolean;
}

export interface RankFeaturesResult {
  ranked: RankedFeature[];
  kept: string[];
  dropped: string[];
}

/**
 * Scores every column, orders by the chosen criterion (descending, ties by name), and keeps the features
 * passing both `minScore` and `topK` (either may be omitted). Columns must be discrete and as long as `labels`.
 */
export function rankFeatures(
  columns: Record<string, ArrayLike<CategoryValue>>,
  labels: ArrayLike<CategoryValue>,
  threshold: RankThreshold,
): RankFeaturesResult {
  const scored = Object.entries(columns).map(([name, values]) => ({ name, scores: scoreFeature(values, labels, threshold.unit ?? 'bits') }));
  scored.sort((a, b) => b.scores[threshold.criterion] - a.scores[threshold.criterion] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const ranked = scored.map((s, rank) => ({
    ...s,
    rank,
    isKept: (threshold.minScore === undefined || s.scores[threshold.criterion] >= threshold.minScore) && (threshold.topK === undefined || rank < threshold.topK),
  }));
  return {
    ranked,
    kept: ranked.filter((r) => r.isKept).map((r) => r.name),
    dropped: ranked.filter((r) => !r.isKept).map((r) => r.name),
  };
}
