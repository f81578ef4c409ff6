import { RoaringBitmap32 } from 'roaring';
import type { ReadonlyRoaringBitmap32 } from 'roaring';
import { PROFILE_ATTRIBUTES, attributeSpec } from './profile-schema';
import type { AttributeSpec, ListenerProfile, ProfileAttribute } from './profile-schema';
import { CodeListColumn } from './code-list-column';

/** Inclusive/exclusive bounds of a numeric range; at least one bound is expected. */
export interface NumericRange {
  gte?: number;
  gt?: number;
  lte?: number;
  lt?: number;
}

export interface AttributeIndexOptions {
  /** Value buckets of the numeric range index (default 64, at most 4096); built by optimize() or the first range query. */
  numericBuckets?: number;
  /** Users to reserve numeric columns for up front (default 1024; columns grow by doubling). */
  initialCapacityUsers?: number;
}

export interface IndexMemory {
  bitmapCount: number;
  bitmapBytes: number;
  columnBytes: number;
  totalBytes: number;
}

/** How many numeric bin splits numericBinBitmaps keeps (each is about one bit per user with a value). */
export const NUMERIC_BIN_CACHE_ENTRIES = 8;

/** Page size for walking a bitmap's members without materialising it whole (one roaring chunk). */
export const MEMBER_PAGE = 65536;

/**
 * Call `visit(page, length)` with the members of `bitmap` in ascending order, at most
 * MEMBER_PAGE at a time, reusing one buffer (no allocation proportional to the bitmap).
 */
export function forEachMemberPage(bitmap: ReadonlyRoaringBitmap32, visit: (page: Uint32Array, length: number) => void): void {
  const buffer = new Uint32Array(MEMBER_PAGE);
  const size = bitmap.size;
  for (let offset = 0; offset < size; offset += MEMBER_PAGE) {
    const page = bitmap.rangeUint32Array(offset, MEMBER_PAGE, buffer);
    visit(page, page.length);
  }
}

interface ValueStore {
  readonly spec: AttributeSpec;
  readonly bitmaps: Map<string, RoaringBitmap32>;
  /**
   * Single-valued attributes only: value code per userIdx (0 = none), with codeOf/valueOfCode as
   * its dictionary. Null for multi-valued attributes and once a domain outgrows 65535 values.
   */
  codes: Uint8Array | Uint16Array | null;
  /**
   * Multi-valued attributes only: each user's value codes (same dictionary), so a user's values
   * are read without probing every value's bitmap. Built once the attribute holds more than
   * LIST_DOMAIN_VALUES values: below that the probes cost less than the column's memory.
   */
  lists: CodeListColumn | null;
  /**
   * Multi-valued attributes while their domain has at most MASK_DOMAIN_VALUES values: each user's
   * values as bits (bit code − 1), so reading a listener's genres or moods is one array load
   * instead of a probe of every value's bitmap. Null until the attribute holds a value, and for good
   * once its domain passes the mask (maskRetired).
   */
  masks: Uint32Array | null;
  maskRetired: boolean;
  /** Codes in values() order, for the sortedValues array they were built from. */
  sortedCodes: { readonly of: string[]; readonly codes: number[] } | null;
  readonly codeOf: Map<string, number>;
  readonly valueOfCode: string[];
  /** values() order of the bitmaps' keys; null after a value appears or disappears. */
  sortedValues: string[] | null;
}

function sortedValues(store: ValueStore): string[] {
  if (store.sortedValues === null) {
    const keys = [...store.bitmaps.keys()];
    store.sortedValues = store.spec.isOrdinal ? keys.sort((a, b) => Number(a) - Number(b)) : keys.sort();
  }
  return store.sortedValues;
}

function sortedCodes(store: ValueStore): number[] {
  const values = sortedValues(store);
  if (store.sortedCodes?.of !== values) store.sortedCodes = { of: values, codes: values.map((v) => store.codeOf.get(v)!) };
  return store.sortedCodes.codes;
}

/** A store's code-list column, built from its value bitmaps (every member's code). */
function listsFromBitmaps(store: ValueStore, capacityUsers: number): CodeListColumn {
  return CodeListColumn.fromMembers(capacityUsers, (visit) => {
    for (const [value, bitmap] of store.bitmaps) {
      const code = store.codeOf.get(value)!;
      forEachMemberPage(bitmap, (page, length) => {
        for (let i = 0; i < length; i++) visit(page[i], code);
      });
    }
  });
}

/** Takes a user out of the bitmap of a value it holds; a value nobody holds any more leaves the store. */
function dropMember(store: ValueStore, value: string, userIdx: number): void {
  const bitmap = store.bitmaps.get(value)!;
  bitmap.delete(userIdx);
  if (bitmap.isEmpty) {
    store.bitmaps.delete(value);
    store.sortedValues = null;
  }
}

/**
 * Values a multi-valued attribute may hold before it gets a code-list column. Up to 64 bitmap probes
 * (a few µs) read a listener's genres or moods; 20,000 artists took ~3 ms. The column costs about 6
 * bytes per user plus 4 per value held, so small vocabularies keep probing.
 */
export const LIST_DOMAIN_VALUES = 64;

/**
 * Values (codes ever given) a multi-valued attribute may have and keep its bit-mask column: one
 * Uint32 per user. In the decision bench's API, probing the ten genre bitmaps of a random listener
 * took some 3% of its time (cache misses in ten bitmaps, one native call each); the mask is one load.
 */
export const MASK_DOMAIN_VALUES = 32;

/** Largest value code a categorical code column can hold (Uint16). */
const MAX_VALUE_CODE = 0xffff;

interface NumericBuckets {
  /** Ascending, distinct inner boundaries; bucket j holds values in [inner[j-1], inner[j]). */
  readonly inner: Float64Array;
  readonly bitmaps: RoaringBitmap32[];
  readonly builtForCount: number;
}

interface NumericStore {
  readonly spec: AttributeSpec;
  values: Float64Array;
  readonly present: RoaringBitmap32;
  buckets: NumericBuckets | null;
}

function bucketOf(inner: Float64Array, value: number): number {
  // number of inner boundaries <= value (upper bound)
  let lo = 0;
  let hi = inner.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (inner[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function assertUserIdx(userIdx: number): void {
  if (!Number.isInteger(userIdx) || userIdx < 0 || userIdx > 0xfffffffe) {
    throw new RangeError(`userIdx must be an integer in [0, 2^32-2], got ${userIdx}`);
  }
}

interface NormalizedRange {
  lo: number;
  isLoInclusive: boolean;
  hi: number;
  isHiInclusive: boolean;
}

function normalizeRange(range: NumericRange): NormalizedRange {
  let lo = -Infinity;
  let isLoInclusive = true;
  let hi = Infinity;
  let isHiInclusive = true;
  if (range.gte !== undefined) lo = range.gte;
  if (range.gt !== undefined && range.gt >= lo) {
    lo = range.gt;
    isLoInclusive = false;
  }
  if (range.lte !== undefined) hi = range.lte;
  if (range.lt !== undefined && range.lt <= hi) {
    hi = range.lt;
    isHiInclusive = false;
  }
  return { lo, isLoInclusive, hi, isHiInclusive };
}

function inRange(r: NormalizedRange, v: number): boolean {
  return (r.isLoInclusive ? v >= r.lo : v > r.lo) && (r.isHiInclusive ? v <= r.hi : v < r.hi);
}

/** True when a value satisfies a numeric range (the same test the index applies). */
export function numericRangeContains(range: NumericRange, value: number): boolean {
  return inRange(normalizeRange(range), value);
}

function bitmapBytes(bitmap: RoaringBitmap32): number {
  const s = bitmap.statistics();
  // container payloads plus roughly 8 bytes of key/type/pointer bookkeeping per container
  return s.bytesInArrayContainers + s.bytesInRunContainers + s.bytesInBitsetContainers + 8 * s.containers;
}

/**
 * Attribute bitmap index over dense user indices (uint32). Every categorical/boolean/multi value
 * has a roaring bitmap of the users holding it; every numeric attribute has a Float64 column
 * indexed by userIdx plus a presence bitmap. Every single-valued (categorical/boolean) attribute
 * also has a value-code column (1–2 bytes a user), which makes re-import removal O(1) for it and
 * lets analyses over small audiences count values in one pass. A profile upsert replaces the
 * user's previous attributes entirely: the user leaves every old value bitmap before joining the
 * new ones. Re-importing one user of a multi-valued attribute costs one delete per value bitmap
 * of that attribute (e.g. every artist), so imports should go through upsertMany.
 *
 * Numeric ranges use a bucket index (built by optimize() or the first range query): bucket
 * boundaries are quantiles of a sample of the column; a range is the union of the buckets it covers fully plus a column scan of the (at
 * most two) buckets it cuts. Buckets are maintained on upsert and rebuilt when the column has
 * more than doubled since they were built, so range cost stays near 2/numericBuckets of a scan.
 *
 * The index trusts its input: profiles come from parseProfileRecord, which validates values.
 */
export class AttributeIndex {
  private readonly universeBitmap = new RoaringBitmap32();
  private readonly valueStores = new Map<ProfileAttribute, ValueStore>();
  private readonly numericStores = new Map<ProfileAttribute, NumericStore>();
  private readonly numericBucketCount: number;
  /** Columns created later (bit masks) start at this many users, as the others did. */
  private readonly initialCapacityUsers: number;
  /** Bumped by every mutation; cached derived bitmaps from an older version are stale. */
  private version = 0;
  private readonly binCache = new Map<string, { version: number; bitmaps: RoaringBitmap32[] }>();

  constructor(options: AttributeIndexOptions = {}) {
    this.numericBucketCount = Math.min(4096, Math.max(1, Math.floor(options.numericBuckets ?? 64)));
    const capacity = Math.max(1, Math.floor(options.initialCapacityUsers ?? 1024));
    this.initialCapacityUsers = capacity;
    for (const spec of PROFILE_ATTRIBUTES) {
      if (spec.kind === 'numeric') {
        this.numericStores.set(spec.name, { spec, values: new Float64Array(capacity), present: new RoaringBitmap32(), buckets: null });
      } else {
        const codes = spec.kind === 'multi' ? null : new Uint8Array(capacity);
        this.valueStores.set(spec.name, { spec, bitmaps: new Map(), codes, lists: null, masks: null, maskRetired: spec.kind !== 'multi', sortedCodes: null, codeOf: new Map(), valueOfCode: [''], sortedValues: null });
      }
    }
  }

  /** Every indexed user. Read-only: evaluate `not` as universe andNot x. */
  get universe(): ReadonlyRoaringBitmap32 {
    return this.universeBitmap;
  }

  get size(): number {
    return this.universeBitmap.size;
  }

  /** Insert or replace one user's profile; absent fields become unknown. */
  upsert(userIdx: number, profile: ListenerProfile): { isNew: boolean } {
    assertUserIdx(userIdx);
    this.version++;
    const isNew = !this.universeBitmap.has(userIdx);
    if (!isNew) this.removeOne(userIdx);
    this.upsertFresh(Uint32Array.of(userIdx), [profile], [0]);
    this.universeBitmap.add(userIdx);
    return { isNew };
  }

  /**
   * Insert or replace many users at once (same semantics as upsert; if an index repeats, the
   * last profile wins). Members are grouped per value and added with addMany, which is far
   * cheaper than one native call per user and value; re-imported users are removed from old
   * values with one andNot per bitmap rather than one delete per user.
   */
  upsertMany(userIdxs: ArrayLike<number>, profiles: readonly ListenerProfile[]): { inserted: number; replaced: number } {
    if (userIdxs.length !== profiles.length) throw new RangeError('userIdxs and profiles differ in length');
    const n = userIdxs.length;
    const idxs = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      assertUserIdx(userIdxs[i]);
      idxs[i] = userIdxs[i];
    }
    this.version++;
    const batch = new RoaringBitmap32(idxs);
    let positions: number[] | null = null;
    if (batch.size !== n) {
      const last = new Map<number, number>();
      for (let i = 0; i < n; i++) last.set(idxs[i], i);
      positions = [];
      for (let i = 0; i < n; i++) if (last.get(idxs[i]) === i) positions.push(i);
    }
    const existing = RoaringBitmap32.and(batch, this.universeBitmap);
    const replaced = existing.size;
    if (replaced > 0) {
      if (replaced <= 16) for (const idx of existing) this.removeOne(idx);
      else this.removeMany(existing);
    }
    this.upsertFresh(idxs, profiles, positions);
    this.universeBitmap.orInPlace(batch);
    return { inserted: batch.size - replaced, replaced };
  }

  /** Remove a user from the index entirely. Returns false when the user was not indexed. */
  remove(userIdx: number): boolean {
    assertUserIdx(userIdx);
    if (!this.universeBitmap.has(userIdx)) return false;
    this.version++;
    this.removeOne(userIdx);
    this.universeBitmap.delete(userIdx);
    return true;
  }

  /** Distinct values of a categorical/boolean/multi attribute with at least one user, sorted (numerically for ordinals). */
  values(attr: ProfileAttribute): string[] {
    const store = this.valueStores.get(attr);
    return store ? [...sortedValues(store)] : [];
  }

  /** The users holding a value (read-only, owned by the index), or undefined when nobody does. */
  valueBitmap(attr: ProfileAttribute, value: string): ReadonlyRoaringBitmap32 | undefined {
    return this.valueStores.get(attr)?.bitmaps.get(value);
  }

  /** O(1) membership: does the user hold this value? */
  hasValue(attr: ProfileAttribute, value: string, userIdx: number): boolean {
    return this.valueStores.get(attr)?.bitmaps.get(value)?.has(userIdx) ?? false;
  }

  /**
   * A single-valued attribute's code column: codes[userIdx] is 0 for "no value", otherwise
   * valueOfCode[code]. Undefined for multi-valued attributes (and for a domain of > 65535 values).
   * Lets an analysis over a small audience count values in one pass over its members.
   */
  codeColumn(attr: ProfileAttribute): { codes: Uint8Array | Uint16Array; valueOfCode: readonly string[] } | undefined {
    const store = this.valueStores.get(attr);
    return store?.codes ? { codes: store.codes, valueOfCode: store.valueOfCode } : undefined;
  }

  /** A numeric attribute's column (indexed by userIdx; only entries in `present` are meaningful). */
  numericColumn(attr: ProfileAttribute): { values: Float64Array; present: ReadonlyRoaringBitmap32 } | undefined {
    const store = this.numericStores.get(attr);
    return store ? { values: store.values, present: store.present } : undefined;
  }

  numericValue(attr: ProfileAttribute, userIdx: number): number | undefined {
    const store = this.numericStores.get(attr);
    if (!store || !store.present.has(userIdx)) return undefined;
    return store.values[userIdx];
  }

  /**
   * Users whose numeric attribute lies in the range (a fresh bitmap the caller owns).
   * Users without a value never match. Unknown/non-numeric attribute → empty bitmap.
   */
  numericRange(attr: ProfileAttribute, range: NumericRange): RoaringBitmap32 {
    const store = this.numericStores.get(attr);
    if (!store) return new RoaringBitmap32();
    const r = normalizeRange(range);
    const buckets = this.bucketsFor(store);
    const full: RoaringBitmap32[] = [];
    const partial: RoaringBitmap32[] = [];
    const k = buckets.bitmaps.length;
    for (let j = 0; j < k; j++) {
      const lower = j === 0 ? -Infinity : buckets.inner[j - 1];
      const upper = j === k - 1 ? Infinity : buckets.inner[j];
      // members v satisfy lower <= v < upper
      const isBelow = upper <= r.lo;
      const isAbove = r.isHiInclusive ? lower > r.hi : lower >= r.hi;
      if (isBelow || isAbove || buckets.bitmaps[j].isEmpty) continue;
      const isInside = (r.isLoInclusive ? lower >= r.lo : lower > r.lo) && upper <= r.hi;
      (isInside ? full : partial).push(buckets.bitmaps[j]);
    }
    const out = full.length === 0 ? new RoaringBitmap32() : full.length === 1 ? full[0].clone() : RoaringBitmap32.orMany(full);
    const values = store.values;
    for (const bucket of partial) {
      forEachMemberPage(bucket, (page, length) => {
        const hits = new Uint32Array(length);
        let h = 0;
        for (let i = 0; i < length; i++) {
          const idx = page[i];
          if (inRange(r, values[idx])) hits[h++] = idx;
        }
        if (h > 0) out.addMany(hits.subarray(0, h));
      });
    }
    return out;
  }

  /**
   * The users of each bin of a numeric attribute for boundaries b1 < … < bk: bins (-∞,b1),
   * [b1,b2), …, [bk,+∞), as k+1 read-only bitmaps. Results are cached per (attr, boundaries)
   * until the next mutation (at most NUMERIC_BIN_CACHE_ENTRIES sets, oldest evicted), because
   * dashboards split audiences by the same bins again and again; a cached split turns a numeric
   * group-by into k+1 andCardinality calls instead of a column scan.
   */
  numericBinBitmaps(attr: ProfileAttribute, bins: readonly number[]): readonly ReadonlyRoaringBitmap32[] {
    const key = `${attr}:${bins.join(',')}`;
    const hit = this.binCache.get(key);
    if (hit && hit.version === this.version) return hit.bitmaps;
    const bitmaps: RoaringBitmap32[] = [];
    for (let j = 0; j <= bins.length; j++) {
      const range: NumericRange = {};
      if (j > 0) range.gte = bins[j - 1];
      if (j < bins.length) range.lt = bins[j];
      bitmaps.push(this.numericRange(attr, range));
    }
    this.binCache.delete(key);
    this.binCache.set(key, { version: this.version, bitmaps });
    for (const [k, entry] of this.binCache) {
      if (this.binCache.size <= NUMERIC_BIN_CACHE_ENTRIES && entry.version === this.version) break;
      if (k !== key) this.binCache.delete(k);
    }
    return bitmaps;
  }

  /**
   * A user's profile from the index: what every decision logs as the listener's features. Code
   * columns answer single-valued attributes in O(1), and code lists the multi-valued ones with
   * large vocabularies in O(values held), instead of one bitmap probe per value of the domain.
   */
  profileOf(userIdx: number): ListenerProfile | null {
    if (!this.universeBitmap.has(userIdx)) return null;
    const profile: Record<string, unknown> = {};
    for (const [attr, store] of this.valueStores) {
      if (store.masks) {
        const mask = userIdx < store.masks.length ? store.masks[userIdx] : 0;
        if (mask === 0) continue;
        const held: string[] = [];
        for (const code of sortedCodes(store)) if ((mask & (1 << (code - 1))) !== 0) held.push(store.valueOfCode[code]);
        profile[attr] = held;
        continue;
      }
      if (store.lists) {
        const codes = store.lists.get(userIdx);
        if (codes.length === 0) continue;
        const held = Array.from(codes, (code) => store.valueOfCode[code]);
        // In values() order, as the attribute's value list is.
        profile[attr] = store.spec.isOrdinal ? held.sort((a, b) => Number(a) - Number(b)) : held.sort();
        continue;
      }
      const code = store.codes === null ? -1 : userIdx < store.codes.length ? store.codes[userIdx] : 0;
      const held = code > 0 ? [store.valueOfCode[code]] : code === 0 ? [] : sortedValues(store).filter((v) => store.bitmaps.get(v)!.has(userIdx));
      if (held.length === 0) continue;
      if (store.spec.kind === 'multi') profile[attr] = held;
      else if (store.spec.kind === 'boolean') profile[attr] = held[0] === 'true';
      else profile[attr] = held[0];
    }
    for (const [attr, store] of this.numericStores) {
      if (store.present.has(userIdx)) profile[attr] = store.values[userIdx];
    }
    return profile as ListenerProfile;
  }

  /** Run-length compress and shrink every bitmap and (re)build the numeric range buckets; call after a bulk load. */
  optimize(): void {
    for (const store of this.numericStores.values()) {
      store.buckets = null;
      this.bucketsFor(store);
    }
    this.universeBitmap.runOptimize();
    this.universeBitmap.shrinkToFit();
    for (const store of this.valueStores.values()) store.lists?.trim();
    for (const bitmap of this.allBitmaps()) {
      bitmap.runOptimize();
      bitmap.shrinkToFit();
    }
  }

  /**
   * Approximate resident bytes: roaring container payloads (+8 B per container) of every bitmap,
   * including the universe, presence and numeric bucket bitmaps, plus numeric column capacity.
   */
  approxBytes(): IndexMemory {
    let bitmapCount = 1;
    let bytes = bitmapBytes(this.universeBitmap);
    for (const bitmap of this.allBitmaps()) {
      bitmapCount++;
      bytes += bitmapBytes(bitmap);
    }
    let columnBytes = 0;
    for (const store of this.numericStores.values()) columnBytes += store.values.byteLength;
    for (const store of this.valueStores.values()) columnBytes += (store.codes?.byteLength ?? 0) + (store.lists?.byteLength ?? 0) + (store.masks?.byteLength ?? 0);
    return { bitmapCount, bitmapBytes: bytes, columnBytes, totalBytes: bytes + columnBytes };
  }

  private *allBitmaps(): Generator<RoaringBitmap32> {
    for (const store of this.valueStores.values()) yield* store.bitmaps.values();
    for (const store of this.numericStores.values()) {
      yield store.present;
      if (store.buckets) yield* store.buckets.bitmaps;
    }
    for (const entry of this.binCache.values()) yield* entry.bitmaps;
  }

  private removeOne(userIdx: number): void {
    for (const store of this.valueStores.values()) {
      if (store.codes) {
        const code = userIdx < store.codes.length ? store.codes[userIdx] : 0;
        if (code === 0) continue;
        store.codes[userIdx] = 0;
        dropMember(store, store.valueOfCode[code], userIdx);
        continue;
      }
      if (store.masks) {
        const mask = userIdx < store.masks.length ? store.masks[userIdx] : 0;
        if (mask === 0) continue;
        store.masks[userIdx] = 0;
        for (let code = 1; code <= MASK_DOMAIN_VALUES; code++) if ((mask & (1 << (code - 1))) !== 0) dropMember(store, store.valueOfCode[code], userIdx);
        continue;
      }
      if (store.lists) {
        // Only the bitmaps of the values the user holds, not one probe per value of the domain.
        for (const code of store.lists.get(userIdx)) dropMember(store, store.valueOfCode[code], userIdx);
        store.lists.clear(userIdx);
        continue;
      }
      const isSingle = store.spec.kind !== 'multi';
      for (const [value, bitmap] of store.bitmaps) {
        if (bitmap.delete(userIdx)) {
          if (bitmap.isEmpty) {
            store.bitmaps.delete(value);
            store.sortedValues = null;
          }
          if (isSingle) break;
        }
      }
    }
    for (const store of this.numericStores.values()) {
      if (!store.present.delete(userIdx)) continue;
      if (store.buckets) store.buckets.bitmaps[bucketOf(store.buckets.inner, store.values[userIdx])].delete(userIdx);
    }
  }

  private removeMany(users: RoaringBitmap32): void {
    for (const store of this.valueStores.values()) {
      const codes = store.codes;
      if (codes) for (const idx of users) if (idx < codes.length) codes[idx] = 0;
      const lists = store.lists;
      if (lists) for (const idx of users) lists.clear(idx);
      const masks = store.masks;
      if (masks) for (const idx of users) if (idx < masks.length) masks[idx] = 0;
      for (const [value, bitmap] of store.bitmaps) {
        bitmap.andNotInPlace(users);
        if (bitmap.isEmpty) {
          store.bitmaps.delete(value);
          store.sortedValues = null;
        }
      }
    }
    for (const store of this.numericStores.values()) {
      store.present.andNotInPlace(users);
      if (store.buckets) for (const bucket of store.buckets.bitmaps) bucket.andNotInPlace(users);
    }
  }

  private ensureCapacity(store: NumericStore, maxIdx: number): void {
    if (maxIdx < store.values.length) return;
    let capacity = store.values.length;
    while (capacity <= maxIdx) capacity *= 2;
    const grown = new Float64Array(Math.min(capacity, 0xffffffff));
    grown.set(store.values);
    store.values = grown;
  }

  /** Code of a single-valued attribute's value, assigning one (and widening or dropping the column) as needed. */
  private codeFor(store: ValueStore, value: string): number {
    let code = store.codeOf.get(value);
    if (code !== undefined) return code;
    code = store.valueOfCode.length;
    store.codeOf.set(value, code);
    store.valueOfCode.push(value);
    if (store.codes && code > 0xff && store.codes instanceof Uint8Array) store.codes = Uint16Array.from(store.codes);
    if (code > MAX_VALUE_CODE) store.codes = null;
    return code;
  }

  private ensureCodeCapacity(store: ValueStore, maxIdx: number): void {
    const codes = store.codes;
    if (!codes || maxIdx < codes.length) return;
    let capacity = Math.max(1, codes.length);
    while (capacity <= maxIdx) capacity *= 2;
    const grown = codes instanceof Uint8Array ? new Uint8Array(capacity) : new Uint16Array(capacity);
    grown.set(codes);
    store.codes = grown;
  }

  /** Records a user's value codes in the store's mask column, creating or retiring the column as the domain requires. */
  private setMask(store: ValueStore, userIdx: number, held: readonly number[], maxIdx: number): void {
    let bits = 0;
    for (const code of held) {
      if (code > MASK_DOMAIN_VALUES) {
        store.masks = null;
        store.maskRetired = true;
        return;
      }
      bits |= 1 << (code - 1);
    }
    let masks = store.masks;
    if (masks === null || maxIdx >= masks.length) {
      let capacity = masks?.length ?? this.initialCapacityUsers;
      while (capacity <= maxIdx) capacity *= 2;
      const grown = new Uint32Array(capacity);
      if (masks) grown.set(masks);
      store.masks = masks = grown;
    }
    masks[userIdx] = bits;
  }

  /** Add users known to be in no bitmap; `positions` selects which entries to use (dedupe). */
  private upsertFresh(idxs: Uint32Array, profiles: readonly ListenerProfile[], positions: readonly number[] | null): void {
    const count = positions ? positions.length : idxs.length;
    let maxIdx = 0;
    for (let p = 0; p < count; p++) {
      const idx = idxs[positions ? positions[p] : p];
      if (idx > maxIdx) maxIdx = idx;
    }
    for (const [attr, store] of this.valueStores) {
      const groups = new Map<string, number[]>();
      const kind = store.spec.kind;
      for (let p = 0; p < count; p++) {
        const i = positions ? positions[p] : p;
        const raw = (profiles[i] as Record<string, unknown>)[attr];
        if (raw === undefined || raw === null) continue;
        if (kind === 'multi') {
          if (!Array.isArray(raw)) continue;
          const held: number[] = [];
          for (const value of raw) {
            if (typeof value !== 'string' || value.length === 0) continue;
            let members = groups.get(value);
            if (!members) groups.set(value, (members = []));
            // a repeated value in one user's list would otherwise push the index twice
            if (members[members.length - 1] !== idxs[i]) {
              members.push(idxs[i]);
              held.push(this.codeFor(store, value));
            }
          }
          if (held.length > 0) {
            store.lists?.set(idxs[i], held);
            if (!store.maskRetired) this.setMask(store, idxs[i], held, maxIdx);
          }
        } else {
          const value = kind === 'boolean' ? (typeof raw === 'boolean' ? String(raw) : null) : typeof raw === 'string' && raw.length > 0 ? raw : null;
          if (value === null) continue;
          let members = groups.get(value);
          if (!members) groups.set(value, (members = []));
          members.push(idxs[i]);
        }
      }
      if (store.codes) {
        this.ensureCodeCapacity(store, maxIdx);
        for (const [value, members] of groups) {
          const code = this.codeFor(store, value);
          const codes = store.codes;
          if (!codes) break;
          for (const idx of members) codes[idx] = code;
        }
      }
      for (const [value, members] of groups) {
        let bitmap = store.bitmaps.get(value);
        if (!bitmap) {
          store.bitmaps.set(value, (bitmap = new RoaringBitmap32()));
          store.sortedValues = null;
        }
        bitmap.addMany(Uint32Array.from(members));
      }
      if (kind === 'multi' && store.lists === null && store.bitmaps.size > LIST_DOMAIN_VALUES) store.lists = listsFromBitmaps(store, maxIdx + 1);
    }
    for (const [attr, store] of this.numericStores) {
      const members: number[] = [];
      for (let p = 0; p < count; p++) {
        const i = positions ? positions[p] : p;
        const raw = (profiles[i] as Record<string, unknown>)[attr];
        if (typeof raw !== 'number' || !Number.isFinite(raw)) continue;
        if (members.length === 0) this.ensureCapacity(store, maxIdx);
        store.values[idxs[i]] = raw;
        members.push(idxs[i]);
      }
      if (members.length === 0) continue;
      const sorted = Uint32Array.from(members);
      store.present.addMany(sorted);
      const buckets = store.buckets;
      if (buckets) {
        const perBucket: number[][] = buckets.bitmaps.map(() => []);
        for (const idx of sorted) perBucket[bucketOf(buckets.inner, store.values[idx])].push(idx);
        perBucket.forEach((list, j) => {
          if (list.length > 0) buckets.bitmaps[j].addMany(Uint32Array.from(list));
        });
      }
    }
  }

  private bucketsFor(store: NumericStore): NumericBuckets {
    const present = store.present.size;
    if (store.buckets && present <= 2 * store.buckets.builtForCount + 1024) return store.buckets;
    const values = store.values;
    // quantile boundaries from an evenly strided sample of at most ~64k present values
    const stride = Math.max(1, Math.floor(present / 65536));
    const sample: number[] = [];
    let seen = 0;
    forEachMemberPage(store.present, (page, length) => {
      for (let i = 0; i < length; i++, seen++) if (seen % stride === 0) sample.push(values[page[i]]);
    });
    sample.sort((a, b) => a - b);
    const inner: number[] = [];
    const k = this.numericBucketCount;
    for (let q = 1; q < k && sample.length > 0; q++) {
      const boundary = sample[Math.floor((q * sample.length) / k)];
      // a boundary at the minimum would only create an empty first bucket
      if (boundary > sample[0] && (inner.length === 0 || boundary > inner[inner.length - 1])) inner.push(boundary);
    }
    const innerArray = Float64Array.from(inner);
    // counting sort by bucket: members stay ascending within each bucket, no per-user JS arrays
    const bucketCount = inner.length + 1;
    const bucketOfMember = new Uint16Array(present);
    const starts = new Uint32Array(bucketCount + 1);
    let pos = 0;
    forEachMemberPage(store.present, (page, length) => {
      for (let i = 0; i < length; i++, pos++) {
        const b = bucketOf(innerArray, values[page[i]]);
        bucketOfMember[pos] = b;
        starts[b + 1]++;
      }
    });
    for (let b = 0; b < bucketCount; b++) starts[b + 1] += starts[b];
    const cursor = starts.slice(0, bucketCount);
    const sorted = new Uint32Array(present);
    pos = 0;
    forEachMemberPage(store.present, (page, length) => {
      for (let i = 0; i < length; i++, pos++) sorted[cursor[bucketOfMember[pos]]++] = page[i];
    });
    const bitmaps = Array.from({ length: bucketCount }, (_, b) => {
      const bitmap = new RoaringBitmap32(sorted.subarray(starts[b], starts[b + 1]));
      bitmap.runOptimize();
      return bitmap;
    });
    store.buckets = { inner: innerArray, bitmaps, builtForCount: present };
    return store.buckets;
  }
}

/** Kind of an attribute, or undefined when the name is unknown. */
export function attributeKind(attr: string): AttributeSpec['kind'] | undefined {
  return attributeSpec(attr)?.kind;
}
