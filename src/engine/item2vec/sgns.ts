import { Rng } from '../util/rng';

export interface Item2vecParams {
  /** Embedding dimension. */
  dim: number;
  /** Passes over all sentences. */
  epochs: number;
  /** Negative samples per positive pair. */
  negatives: number;
  /** Starting SGD step; decays linearly to learningRate·minLearningRateFraction over the run (word2vec). */
  learningRate: number;
  minLearningRateFraction: number;
  /**
   * Context pairs sampled per kept item per epoch. item2vec's context is the whole set; sets smaller than
   * this +1 use every other item, larger ones draw this many others uniformly (with replacement) each epoch,
   * which keeps the cost linear in set size instead of quadratic.
   */
  contextsPerItem: number;
  /** word2vec subsampling threshold t: an item of frequency f is kept with p = (sqrt(f/t)+1)·t/f. 0 disables. */
  subsampleT: number;
  /**
   * Exponent of the negative-sampling distribution P(i) ∝ count(i)^popularityBias. Mikolov's 0.75 is the default;
   * raising it (the product uses {@link PRODUCT_POPULARITY_BIAS}) samples hits more often as negatives, so the
   * model learns "a listener who has not played this hit probably knows it and chose not to" and stops placing
   * popular items next to everything.
   */
  popularityBias: number;
  /** Slots of the negative-sampling table; more slots resolve rare items' probabilities better. */
  negativeTableSize: number;
  /**
   * Items with fewer occurrences than this are dropped before training (word2vec's min_count) and keep a zero
   * vector: a handful of co-occurrences gives a vector that is mostly its random start, which then shows up as a
   * spuriously close "nearest item".
   */
  minCount: number;
}

/** Mikolov et al. 2013's unigram exponent. */
export const MIKOLOV_POPULARITY_BIAS = 0.75;
/** The product's choice: a stronger pull toward popular negatives (see {@link Item2vecParams.popularityBias}). */
export const PRODUCT_POPULARITY_BIAS = 1;

/**
 * Tuned on Last.fm HetRec 2011 (bench/cf.bench.ts, 1.9k listener sets over 17.6k artists): small set corpora
 * need a larger step and more passes than word2vec's text defaults (lr 0.025, 5 epochs) to escape underfitting.
 */
export const DEFAULT_ITEM2VEC_PARAMS: Item2vecParams = {
  dim: 32,
  epochs: 15,
  negatives: 5,
  learningRate: 0.1,
  minLearningRateFraction: 1e-4,
  contextsPerItem: 5,
  subsampleT: 1e-3,
  popularityBias: PRODUCT_POPULARITY_BIAS,
  negativeTableSize: 1_000_000,
  minCount: 5,
};

export interface Item2vecModel {
  dim: number;
  itemCount: number;
  /** Row-major itemCount × dim input ("syn0") vectors; items dropped or absent are all zero. */
  vectors: Float32Array;
  /** Row-major output ("syn1neg") vectors, the other side of every logistic update. */
  contextVectors: Float32Array;
  /** Occurrences of each item in the training sentences after the minCount cut (0 = dropped). */
  itemCounts: Float64Array;
  /** The negative-sampling exponent the model was trained with. */
  popularityBias: number;
}

// Beyond |x| = 6 the logistic is within 0.25% of 0/1; word2vec clips there too.
const MAX_EXP = 6;

/** P(i) ∝ count(i)^bias as a table of item ids; items with count 0 never appear. */
export function buildNegativeTable(counts: ArrayLike<number>, bias: number, tableSize: number): Uint32Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) total += Math.pow(counts[i], bias);
  const table = new Uint32Array(tableSize);
  if (total === 0) return table.subarray(0, 0);
  // slot s holds the first item whose cumulative probability exceeds s / tableSize
  let i = 0;
  while (!(counts[i] > 0)) i++;
  let cumulative = Math.pow(counts[i], bias) / total;
  for (let slot = 0; slot < tableSize; slot++) {
    while (slot / tableSize >= cumulative) {
      let next = i + 1;
      while (next < counts.length && !(counts[next] > 0)) next++;
      if (next >= counts.length) break;
      i = next;
      cumulative += Math.pow(counts[i], bias) / total;
    }
    table[slot] = i;
  }
  return table;
}

/**
 * item2vec (Barkan & Koenigstein 2016): skip-gram with negative sampling (Mikolov et al. 2013) where each
 * sentence is a listener's SET of items and every other item of the set is context.
 * Per epoch: sentences in a fresh random order, each item occurrence subsampled (t), up to `contextsPerItem`
 * context items drawn from the kept set, and for each (item, context) pair one positive and `negatives`
 * negative logistic updates, negatives drawn from P ∝ count^popularityBias. Step size decays linearly.
 * Vectors: syn0 initialised U(−0.5/dim, 0.5/dim), syn1 zero; trained in float64, returned as float32. Same sentences, params and rng
 * seed → identical vectors. Item ids must be < itemCount.
 */
export function trainItem2vec(
  sentences: readonly Uint32Array[],
  itemCount: number,
  params: Partial<Item2vecParams>,
  rng: Rng,
): Item2vecModel {
  const p: Item2vecParams = { ...DEFAULT_ITEM2VEC_PARAMS, ...params };
  const dim = p.dim;
  const counts = new Float64Array(itemCount);
  for (const s of sentences) for (let k = 0; k < s.length; k++) counts[s[k]]++;
  for (let i = 0; i < itemCount; i++) if (counts[i] < p.minCount) counts[i] = 0;
  const trimmed = sentences.map((s) => s.filter((item) => counts[item] > 0));
  let occurrences = 0;
  for (const s of trimmed) occurrences += s.length;
  // float64 while training: V8 runs this loop markedly faster than on float32 storage; the result is float32.
  const syn0 = new Float64Array(itemCount * dim);
  const syn1 = new Float64Array(itemCount * dim);
  for (let i = 0; i < itemCount; i++) {
    if (counts[i] === 0) continue;
    for (let d = 0; d < dim; d++) syn0[i * dim + d] = (rng.next() - 0.5) / dim;
  }
  const result = (): Item2vecModel => ({
    dim,
    itemCount,
    vectors: Float32Array.from(syn0),
    contextVectors: Float32Array.from(syn1),
    itemCounts: counts,
    popularityBias: p.popularityBias,
  });
  if (occurrences === 0) return result();

  const keepProb = new Float64Array(itemCount).fill(1);
  if (p.subsampleT > 0) {
    for (let i = 0; i < itemCount; i++) {
      if (counts[i] === 0) continue;
      const f = counts[i] / occurrences;
      keepProb[i] = Math.min(1, (Math.sqrt(f / p.subsampleT) + 1) * (p.subsampleT / f));
    }
  }
  const table = buildNegativeTable(counts, p.popularityBias, p.negativeTableSize);
  const tableLength = table.length;

  const order = Array.from({ length: trimmed.length }, (_, k) => k);
  const kept = new Uint32Array(trimmed.reduce((m, s) => Math.max(m, s.length), 0));
  const gradient = new Float64Array(dim);
  const totalWork = p.epochs * occurrences;
  const minRate = p.learningRate * p.minLearningRateFraction;
  let processed = 0;

  const negatives = p.negatives;
  const contextsPerItem = p.contextsPerItem;

  for (let epoch = 0; epoch < p.epochs; epoch++) {
    for (let k = order.length - 1; k > 0; k--) {
      const r = Math.floor(rng.next() * (k + 1));
      const t = order[k];
      order[k] = order[r];
      order[r] = t;
    }
    for (const sentenceIndex of order) {
      const sentence = trimmed[sentenceIndex];
      let keptCount = 0;
      for (let k = 0; k < sentence.length; k++) {
        const item = sentence[k];
        if (keepProb[item] >= 1 || rng.next() < keepProb[item]) kept[keptCount++] = item;
      }
      const rate = Math.max(minRate, p.learningRate * (1 - processed / totalWork));
      processed += sentence.length;
      if (keptCount < 2) continue;
      const useAll = keptCount - 1 <= contextsPerItem;
      for (let a = 0; a < keptCount; a++) {
        const center = kept[a];
        const inOffset = center * dim;
        const pairs = useAll ? keptCount - 1 : contextsPerItem;
        for (let c = 0; c < pairs; c++) {
          let b: number;
          if (useAll) b = c < a ? c : c + 1;
          else {
            b = Math.floor(rng.next() * (keptCount - 1));
            if (b >= a) b++;
          }
          const context = kept[b];
          if (context === center) continue;
          gradient.fill(0);
          // t = 0 is the positive pair, t >= 1 the negatives (inlined: this loop is the whole training cost)
          for (let t = 0; t <= negatives; t++) {
            let target = context;
            let label = 1;
            if (t > 0) {
              target = table[Math.floor(rng.next() * tableLength)];
              if (target === context || target === center) continue;
              label = 0;
            }
            const outOffset = target * dim;
            let dot = 0;
            for (let d = 0; d < dim; d++) dot += syn0[inOffset + d] * syn1[outOffset + d];
            const g =
              dot > MAX_EXP
                ? (label - 1) * rate
                : dot < -MAX_EXP
                  ? label * rate
                  : (label - 1 / (1 + Math.exp(-dot))) * rate;
            for (let d = 0; d < dim; d++) {
              gradient[d] += g * syn1[outOffset + d];
              syn1[outOffset + d] += g * syn0[inOffset + d];
            }
          }
          for (let d = 0; d < dim; d++) syn0[inOffset + d] += gradient[d];
        }
      }
    }
  }
  return result();
}
