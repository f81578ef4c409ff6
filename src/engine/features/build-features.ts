import { murmur3, murmur3Words } from './murmur3';

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

/** Tokens of one field and their full 32-bit MurmurHash3 values (masked only at the end). */
interface FieldTokens {
  tokens: string[];
  hashes: number[];
}

function fieldTokens(field: string, value: UserFeatureValue, spec: FeatureSpec): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) {
    // Sorted and deduplicated so array order never changes the features or which cross tokens survive the cap.
    return [...new Set(value)].sort().map((v) => `${field}=${v}`);
  }
  const token = scalarToken(field, value, spec);
  return token === null ? [] : [token];
}

function addField(fields: Map<string, FieldTokens>, field: string, value: UserFeatureValue, spec: FeatureSpec): void {
  const tokens = fieldTokens(field, value, spec);
  if (tokens.length > 0) fields.set(field, { tokens, hashes: tokens.map((t) => murmur3(t, spec.seed)) });
}

function collectRequestFields(user: FeatureInput['user'], context: FeatureInput['context'], spec: FeatureSpec): Map<string, FieldTokens> {
  const fields = new Map<string, FieldTokens>();
  for (const key of Object.keys(user)) addField(fields, `user.${key}`, user[key], spec);
  for (const key of Object.keys(context)) addField(fields, `context.${key}`, context[key], spec);
  return fields;
}

function collectCampaignFields(fields: Map<string, FieldTokens>, campaign: FeatureInput['campaign'], spec: FeatureSpec): Map<string, FieldTokens> {
  addField(fields, 'campaign.id', campaign.id, spec);
  const tags = campaign.tags ?? {};
  // 'id' is reserved for the campaign id itself.
  for (const key of Object.keys(tags)) if (key !== 'id') addField(fields, `campaign.${key}`, tags[key], spec);
  return fields;
}

type FieldLookup = (field: string) => FieldTokens | undefined;

/**
 * Visits the first `cap` combinations of the cross's fields in lexicographic order (last field fastest);
 * nothing when a field is absent.
 */
function forEachCross(cross: readonly string[], lookup: FieldLookup, cap: number, visit: (parts: FieldTokens[], positions: number[]) => void): void {
  const parts: FieldTokens[] = [];
  for (const field of cross) {
    const part = lookup(field);
    if (part === undefined) return;
    parts.push(part);
  }
  const positions = new Array<number>(parts.length).fill(0);
  for (let emitted = 0; emitted < cap; emitted++) {
    visit(parts, positions);
    let j = parts.length - 1;
    while (j >= 0 && ++positions[j] === parts[j].tokens.length) positions[j--] = 0;
    if (j < 0) return;
  }
}

/**
 * Full 32-bit hash of a cross: MurmurHash3 (seed = spec.seed) over the little-endian bytes of its parts'
 * token hashes, in field order. Hashing hashes avoids building and re-encoding the joined string.
 */
export function crossHash(partHashes: readonly number[], seed: number): number {
  return murmur3Words(partHashes, partHashes.length, seed);
}

function maskOf(hashBits: number): number {
  return hashBits >= 32 ? 0xffffffff : 2 ** hashBits - 1;
}

/**
 * The feature tokens of one input before hashing (exposed for explain output and tests):
 * `bias`, one token per field value (`user.region=north`, `user.genres=rock`, `user.monthlyMinutes#bin3`),
 * then cross tokens joined by `&` in the spec's field order. Null/undefined/non-finite values emit nothing.
 */
export function featureTokens(input: FeatureInput, spec: FeatureSpec): string[] {
  const fields = collectCampaignFields(collectRequestFields(input.user, input.context, spec), input.campaign, spec);
  const tokens = [BIAS_TOKEN];
  const include = spec.include ? new Set(spec.include) : null;
  for (const [field, values] of fields) if (!include || include.has(field)) tokens.push(...values.tokens);
  const cap = spec.maxTokensPerCross ?? DEFAULT_MAX_TOKENS_PER_CROSS;
  for (const cross of spec.crosses) {
    forEachCross(cross, (f) => fields.get(f), cap, (parts, positions) => tokens.push(parts.map((p, j) => p.tokens[positions[j]]).join('&')));
  }
  return tokens;
}

/** Index of a single (non-cross) token in [0, 2^hashBits). */
export function hashToken(token: string, spec: Pick<FeatureSpec, 'hashBits' | 'seed'>): number {
  return (murmur3(token, spec.seed) & maskOf(spec.hashBits)) >>> 0;
}

/** The index of the always-present bias token: pass it as FtrlParams.biasIndex so the intercept is unregularised. */
export function biasIndexOf(spec: Pick<FeatureSpec, 'hashBits' | 'seed'>): number {
  return hashToken(BIAS_TOKEN, spec);
}

interface ResolvedCross {
  fields: readonly string[];
  /** Per field: read from the candidate's campaign fields (true) or the request's (false). */
  isCampaignField: readonly boolean[];
}

/** The listener/context half of the features, computed once per decision request and reused for every candidate. */
export interface PreparedRequestFeatures {
  readonly spec: FeatureSpec;
  /** Sorted, unique indices of the bias, user/context tokens and crosses that involve no campaign field. */
  readonly baseIndices: Uint32Array;
  readonly requestFields: ReadonlyMap<string, FieldTokens>;
  readonly campaignCrosses: readonly ResolvedCross[];
  readonly include: ReadonlySet<string> | null;
}

const partScratch: number[] = [];

/** Appends the masked indices of one cross (first `cap` combinations, last field fastest). */
function pushCrossIndices(
  out: number[],
  cross: ResolvedCross,
  requestFields: ReadonlyMap<string, FieldTokens>,
  campaignFields: ReadonlyMap<string, FieldTokens> | null,
  seed: number,
  mask: number,
  cap: number,
): void {
  const parts: FieldTokens[] = [];
  for (let j = 0; j < cross.fields.length; j++) {
    const part = cross.isCampaignField[j] ? campaignFields?.get(cross.fields[j]) : requestFields.get(cross.fields[j]);
    if (part === undefined) return;
    parts.push(part);
  }
  if (parts.length === 2) {
    const a = parts[0].hashes;
    const b = parts[1].hashes;
    let emitted = 0;
    for (let i = 0; i < a.length && emitted < cap; i++) {
      partScratch[0] = a[i];
      for (let j = 0; j < b.length && emitted < cap; j++, emitted++) {
        partScratch[1] = b[j];
        out.push((murmur3Words(partScratch, 2, seed) & mask) >>> 0);
      }
    }
    return;
  }
  const positions = new Array<number>(parts.length).fill(0);
  for (let emitted = 0; emitted < cap; emitted++) {
    for (let j = 0; j < parts.length; j++) partScratch[j] = parts[j].hashes[positions[j]];
    out.push((murmur3Words(partScratch, parts.length, seed) & mask) >>> 0);
    let j = parts.length - 1;
    while (j >= 0 && ++positions[j] === parts[j].hashes.length) positions[j--] = 0;
    if (j < 0) return;
  }
}

// Campaign tokens and hashes depend only on (campaign object, spec); snapshot objects are immutable and
// reused across requests, so they are memoised weakly (no effect on results, only on speed).
const campaignFieldCache = new WeakMap<FeatureSpec, WeakMap<FeatureInput['campaign'], Map<string, FieldTokens>>>();

function campaignFieldsOf(campaign: FeatureInput['campaign'], spec: FeatureSpec): Map<string, FieldTokens> {
  let bySpec = campaignFieldCache.get(spec);
  if (!bySpec) {
    bySpec = new WeakMap();
    campaignFieldCache.set(spec, bySpec);
  }
  let fields = bySpec.get(campaign);
  if (!fields) {
    fields = collectCampaignFields(new Map(), campaign, spec);
    bySpec.set(campaign, fields);
  }
  return fields;
}

/** Hashes everything that does not depend on the campaign (see buildCandidateFeatures). */
export function prepareRequestFeatures(user: FeatureInput['user'], context: FeatureInput['context'], spec: FeatureSpec): PreparedRequestFeatures {
  const mask = maskOf(spec.hashBits);
  const cap = spec.maxTokensPerCross ?? DEFAULT_MAX_TOKENS_PER_CROSS;
  const fields = collectRequestFields(user, context, spec);
  const include = spec.include ? new Set(spec.include) : null;
  const base: number[] = [hashToken(BIAS_TOKEN, spec)];
  for (const [field, values] of fields) if (!include || include.has(field)) for (const h of values.hashes) base.push((h & mask) >>> 0);
  const campaignCrosses: ResolvedCross[] = [];
  for (const cross of spec.crosses) {
    const resolved: ResolvedCross = { fields: cross, isCampaignField: cross.map((f) => f.startsWith('campaign.')) };
    if (resolved.isCampaignField.some(Boolean)) campaignCrosses.push(resolved);
    else pushCrossIndices(base, resolved, fields, null, spec.seed, mask, cap);
  }
  const sorted = Uint32Array.from(base).sort();
  let unique = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[unique++] = sorted[i];
  return { spec, baseIndices: sorted.slice(0, unique), requestFields: fields, campaignCrosses, include };
}

/**
 * Features of one candidate campaign on top of a prepared request; identical to
 * buildFeatures({ user, context, campaign }, spec) for the same user, context and spec.
 * Treat campaign objects as immutable: their tokens are memoised per (spec, campaign object).
 */
export function buildCandidateFeatures(prepared: PreparedRequestFeatures, campaign: FeatureInput['campaign']): Uint32Array {
  const { spec, include, requestFields } = prepared;
  const mask = maskOf(spec.hashBits);
  const cap = spec.maxTokensPerCross ?? DEFAULT_MAX_TOKENS_PER_CROSS;
  const campaignFields = campaignFieldsOf(campaign, spec);
  const extra: number[] = [];
  for (const [field, values] of campaignFields) if (!include || include.has(field)) for (const h of values.hashes) extra.push((h & mask) >>> 0);
  for (const cross of prepared.campaignCrosses) pushCrossIndices(extra, cross, requestFields, campaignFields, spec.seed, mask, cap);
  // baseIndices is already sorted and unique: sort the candidate's own indices, then merge.
  const own = Uint32Array.from(extra).sort();
  const base = prepared.baseIndices;
  const out = new Uint32Array(base.length + own.length);
  let i = 0;
  let j = 0;
  let count = 0;
  while (i < base.length || j < own.length) {
    const next = j >= own.length || (i < base.length && base[i] <= own[j]) ? base[i++] : own[j++];
    if (count === 0 || out[count - 1] !== next) out[count++] = next;
  }
  return out.slice(0, count);
}

/**
 * The ONE feature function for training and scoring (the hashing trick, Weinberger et al. 2009).
 * A single token's index is MurmurHash3 x86_32(token UTF-8, spec.seed) masked to hashBits; a cross's index
 * is crossHash(its parts' token hashes) masked the same way. Tokens are those of featureTokens.
 * Output: ascending, deduplicated indices in [0, 2^hashBits); always contains the bias index.
 * Binary features: every returned index has value 1 (colliding tokens merge).
 * For many candidates of one request, prepareRequestFeatures + buildCandidateFeatures give the same result faster.
 */
export function buildFeatures(input: FeatureInput, spec: FeatureSpec): Uint32Array {
  return buildCandidateFeatures(prepareRequestFeatures(input.user, input.context, spec), input.campaign);
}
