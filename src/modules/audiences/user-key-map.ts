/** Writes two 32-bit hashes of `key` into out[0], out[1]. */
export type KeyHasher = (key: string, out: Uint32Array) => void;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a and a multiply-xorshift lane over UTF-16 code units, each finished with MurmurHash3's fmix32: 64 bits per key. */
export const hashUserKey: KeyHasher = (key, out) => {
  let a = (0x811c9dc5 ^ key.length) >>> 0;
  let b = 0x9747b28c ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  out[0] = fmix32(a);
  out[1] = fmix32(b ^ 0x27d4eb2f);
};

const MAX_LOAD = 0.7;

/**
 * user_key → dense user_idx in about 16 bytes a user instead of the ~80 of a Map<string, number>
 * (10^7 listeners: ~200 MB instead of ~800 MB). Keys are not stored: each user's 64-bit key hash
 * sits in two arrays indexed by its (dense) user_idx, and an open-addressing table of idx+1
 * finds it. Two listeners whose 64-bit hashes collide (about 3·10^-6 for 10^7 keys) are caught
 * on insert and the later one kept in a small exact Map; a key that was never inserted can only
 * be mistaken for a listener with the same 64-bit hash (~10^-12 per lookup at 10^7).
 * A key keeps its index forever (user_idx comes from a sequence and is never reused).
 */
export class UserKeyMap {
  private slots: Int32Array;
  private hashA: Uint32Array;
  private hashB: Uint32Array;
  private count = 0;
  private readonly overflow = new Map<string, number>();
  private readonly scratch = new Uint32Array(2);

  constructor(
    initialCapacity = 1024,
    private readonly hasher: KeyHasher = hashUserKey,
  ) {
    let capacity = 16;
    while (capacity < initialCapacity / MAX_LOAD) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.hashA = new Uint32Array(initialCapacity);
    this.hashB = new Uint32Array(initialCapacity);
  }

  get size(): number {
    return this.count + this.overflow.size;
  }

  get(key: string): number | undefined {
    if (this.overflow.size > 0) {
      const found = this.overflow.get(key);
      if (found !== undefined) return found;
    }
    this.hasher(key, this.scratch);
    const a = this.scratch[0];
    const b = this.scratch[1];
    const mask = this.slots.length - 1;
    for (let s = a & mask; ; s = (s + 1) & mask) {
      const entry = this.slots[s];
      if (entry === 0) return undefined;
      const idx = entry - 1;
      if (this.hashA[idx] === a && this.hashB[idx] === b) return idx;
    }
  }

  /** Maps key to idx; calling it again for the same pair is a no-op. */
  set(key: string, idx: number): void {
    if (!Number.isInteger(idx) || idx < 0 || idx > 0x7ffffffe) throw new RangeError(`user index must be an integer in [0, 2^31-2], got ${idx}`);
    if (this.overflow.has(key)) return;
    this.hasher(key, this.scratch);
    const a = this.scratch[0];
    const b = this.scratch[1];
    const mask = this.slots.length - 1;
    for (let s = a & mask; ; s = (s + 1) & mask) {
      const entry = this.slots[s];
      if (entry === 0) {
        this.ensureIdxCapacity(idx);
        this.hashA[idx] = a;
        this.hashB[idx] = b;
        this.slots[s] = idx + 1;
        this.count++;
        if (this.count > this.slots.length * MAX_LOAD) this.grow();
        return;
      }
      const other = entry - 1;
      if (this.hashA[other] === a && this.hashB[other] === b) {
        // Same 64-bit hash: either this very pair again, or a genuine collision between two keys.
        if (other !== idx) this.overflow.set(key, idx);
        return;
      }
    }
  }

  /** Resident bytes of the arrays (the overflow map is negligible). */
  approxBytes(): number {
    return this.slots.byteLength + this.hashA.byteLength + this.hashB.byteLength;
  }

  private ensureIdxCapacity(idx: number): void {
    if (idx < this.hashA.length) return;
    let capacity = Math.max(16, this.hashA.length);
    while (capacity <= idx) capacity *= 2;
    const a = new Uint32Array(capacity);
    a.set(this.hashA);
    const b = new Uint32Array(capacity);
    b.set(this.hashB);
    this.hashA = a;
    this.hashB = b;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < old.length; i++) {
      const entry = old[i];
      if (entry === 0) continue;
      let s = this.hashA[entry - 1] & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = entry;
    }
    this.slots = slots;
  }
}
