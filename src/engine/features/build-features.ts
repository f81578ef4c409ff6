import { murmur3 } from './murmur3';

export type UserFeatureValue = string | number | boolean | string[] | null | undefined;
export type ContextFeatureValue = string | number | boolean | null | undefined;

/** Everything known at decision time about one (listener, context, campaign) triple. */
export interface FeatureInput {
  user: Record<string, UserFeatureValue>;
  context: Record<string, ContextFeatureValue>;
  campaign: { id: string; tags?: Record<string, string[]> };
}

/**
 * How raw attributes become hashed indices. Field names are namespaced: `user.<attr>`,
 * `context.<key>`, `campaign.id`, `campaign.<tagKey>` (e.g. `campaign.genres`).
 */
export interface FeatureSpec {
  /** Indices fall in [0, 2^hashBits); 1..32. */
  hashBits: number;
  /** MurmurHash3 seed; changing it re-maps every feature (a new model). */
  seed: number;
  /** Per numeric field, strictly ascending bin boundaries; value v goes to bin #{b : b <= v}. Unbinned numbers are categorical. */
  numericBins: Record<string, number[]>;
  /** Each entry crosses the tokens of 2+ fields (Cartesian product for multi-valued fields). */
  crosses: string[][];
  /** When set, only these fields emit single-field tokens; crosses are always emitted as listed. */
  include?: string[];
  /** Cap on tokens produced by one cross (multi-valued × multi-valued can explode); default 64. */
  maxTokensPerCross?: number;
}

export const BIAS_TOKEN = 'bias';
const DEFAULT_MAX_TOKENS_PER_CROSS = 64;

/** A spec for the listener profile / campaign / request-context domain (see domain.md). */
export const DEFAULT_FEATURE_SPEC: FeatureSpec = Object.freeze({
  hashBits: 20,
  seed: 0x5eed_2026,
  numericBins: {
    'user.monthlyMinutes': [1, 60, 300, 900, 1800, 3600, 6000],
    'user.tenureDays': [1, 7, 30, 90, 180, 365, 730],
  },
  crosses: [
    ['user.region', 'campaign.id'],
    ['user.cityTier', 'campaign.id'],
    ['user.gender', 'campaign.id'],
    ['user.ageBand', 'campaign.id'],
    ['user.platform', 'campaign.id'],
    ['user.vipLevel', 'campaign.id'],
    ['user.paidPackage', 'campaign.id'],
    ['user.activityState', 'campaign.id'],
    ['user.monthlyMinutes', 'campaign.id'],
    ['user.genres', 'campaign.id'],
    ['context.genre', 'campaign.id'],
    ['context.hour', 'campaign.id'],
    ['context.network', 'campaign.id'],
    ['user.genres', 'campaign.genres'],
    ['user.artists', 'campaign.artists'],
    ['user.languages', 'campaign.languages'],
    ['context.genre', 'campaign.genres'],
    ['context.artistId', 'campaign.artists'],
  ],
}) as FeatureSpec;

export type FeatureSpecCheck = { kind: 'valid' } | { kind: 'invalid'; problems: string[] };

/** Checks a spec before it is stored or used (buildFeatures assumes a valid spec). */
export function validateFeatureSpec(spec: FeatureSpec): FeatureSpecCheck {
  const problems: string[] = [];
  if (!Number.isInteger(spec.hashBits) || spec.hashBits < 1 || spec.hashBits > 32) problems.push('hashBits must be an integer in 1..32');
  if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed > 0xffffffff) problems.push('seed must be an unsigned 32-bit integer');
  const isField = (f: string) => /^(user|context)\.[^=&#]+$/.test(f) || /^campaign\.[^=&#]+$/.test(f);
  for (const [field, bounds] of Object.entries(spec.numericBins)) {
    if (!isField(field)) problems.push(`numericBins: bad field name ${field}`);
    for (let i = 0; i < bounds.length; i++) {
      if (!Number.isFinite(bounds[i])) problems.push(`numericBins.${field}: boundaries must be finite`);
      else if (i > 0 && !(bounds[i] > bounds[i - 1])) problems.push(`numericBins.${field}: boundaries must be strictly ascending`);
    }
  }
  spec.crosses.forEach((cross, i) => {
    if (cross.length < 2) problems.push(`crosses[${i}]: needs at least two fields`);
    if (new Set(cross).size !== cross.length) problems.push(`crosses[${i}]: repeats a field`);
    for (const f of cross) if (!isField(f)) problems.push(`crosses[${i}]: bad field name ${f}`);
  });
  for (const f of spec.include ?? []) if (!isField(f)) problems.push(`include: bad field name ${f}`);
  if (spec.maxTokensPerCross !== undefined && !(Number.isInteger(spec.maxTokensPerCross) && spec.maxTokensPerCross >= 1)) {
    problems.push('maxTokensPerCross must be a positive integer');
  }
  return problems.length === 0 ? { kind: 'valid' } : { kind: 'invalid', problems };
}

/** Bin index of v: the number of boundaries <= v (so 0..boundaries.length). */
export function binIndex(value: number, boundaries: readonly number[]): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (boundaries[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function scalarToken(field: string, value: string | number | boolean, spec: FeatureSpec): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    const bounds = spec.numericBins[field];
    return bounds ? `${field}#bin${binIndex(value, bounds)}` : `${field}=${value}`;
  }
  return `${field}=${value}`;
}

function addField(fields: Map<string, string[]>, field: string, value: UserFeatureValue, spec: FeatureSpec): void {
  if (value === null || value === undefined) return;
  let tokens: string[];
  if (Array.isArray(value)) {
    // Sorted and deduplicated so array order never changes the features or which cross tokens survive the cap.
    tokens = [...new Set(value)].sort().map((v) => `${field}=${v}`);
  } else {
    const token = scalarToken(field, value, spec);
    tokens = token === null ? [] : [token];
  }
  if (tokens.length > 0) fields.set(field, tokens);
}

/**
 * The feature tokens of one input before hashing (exposed for explain output and tests):
 * `bias`, one token per field value (`user.region=north`, `user.genres=rock`, `user.monthlyMinutes#bin3`),
 * then cross tokens joined by `&` in the spec's field order. Null/undefined/non-finite values emit nothing.
 */
export function featureTokens(input: FeatureInput, spec: FeatureSpec): string[] {
  const fields = new Map<string, string[]>();
  for (const key of Object.keys(input.user)) addField(fields, `user.${key}`, input.user[key], spec);
  for (const key of Object.keys(input.context)) addField(fields, `context.${key}`, input.context[key], spec);
  addField(fields, 'campaign.id', input.campaign.id, spec);
  const tags = input.campaign.tags ?? {};
  // 'id' is reserved for the campaign id itself.
  for (const key of Object.keys(tags)) if (key !== 'id') addField(fields, `campaign.${key}`, tags[key], spec);

  const tokens = [BIAS_TOKEN];
  const include = spec.include ? new Set(spec.include) : null;
  for (const [field, values] of fields) if (!include || include.has(field)) tokens.push(...values);

  const cap = spec.maxTokensPerCross ?? DEFAULT_MAX_TOKENS_PER_CROSS;
  for (const cross of spec.crosses) {
    const parts = cross.map((f) => fields.get(f));
    if (parts.some((p) => p === undefined)) continue;
    let combos: string[] = [''];
    for (const values of parts as string[][]) {
      const next: string[] = [];
      for (const prefix of combos) {
        for (const v of values) {
          if (next.length >= cap) break;
          next.push(prefix === '' ? v : `${prefix}&${v}`);
        }
      }
      combos = next;
    }
    tokens.push(...combos);
  }
  return tokens;
}

/** Hashes one token into [0, 2^hashBits). */
export function hashToken(token: string, spec: Pick<FeatureSpec, 'hashBits' | 'seed'>): number {
  const h = murmur3(token, spec.seed);
  return spec.hashBits >= 32 ? h : h & (2 ** spec.hashBits - 1);
}

/** The index of the always-present bias token: pass it as FtrlParams.biasIndex so the intercept is unregularised. */
export function biasIndexOf(spec: Pick<FeatureSpec, 'hashBits' | 'seed'>): number {
  return hashToken(BIAS_TOKEN, spec);
}

/**
 * The ONE feature function for training and scoring: tokens (see featureTokens) hashed with
 * MurmurHash3 x86_32 (seed = spec.seed) and masked to hashBits (the hashing trick, Weinberger et al. 2009).
 * Output: ascending, deduplicated indices in [0, 2^hashBits); always contains the bias index.
 * Binary features: every returned index has value 1 (colliding tokens merge).
 */
export function buildFeatures(input: FeatureInput, spec: FeatureSpec): Uint32Array {
  const tokens = featureTokens(input, spec);
  const indices = new Uint32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) indices[i] = hashToken(tokens[i], spec);
  indices.sort();
  let unique = 0;
  for (let i = 0; i < indices.length; i++) if (i === 0 || indices[i] !== indices[i - 1]) indices[unique++] = indices[i];
  return indices.slice(0, unique);
}
