/**
 * Each user's value codes of one multi-valued attribute (genres, artists…), packed in one pool.
 * The value bitmaps answer "who holds X"; this answers "what does user u hold" in O(values held)
 * rather than one bitmap probe per value of the domain (20,000 artists made that ~3 ms a listener).
 * A list that grows moves to the end of the pool; the space it leaves is reclaimed by compacting
 * when more than half of the pool is garbage, so the pool stays under about twice the live codes.
 */
export class CodeListColumn {
  /** Pool offset of each user's list. */
  private start: Uint32Array;
  /** Codes in each user's list (0: none); profiles carry at most 256 values per attribute. */
  private count: Uint16Array;
  private pool: Uint32Array;
  private used = 0;
  private garbage = 0;

  /**
   * The column of users already in value bitmaps, in two passes over their members (`forEach`
   * calls visit(userIdx, code) once per user and value, the same way both times): count, then fill.
   */
  static fromMembers(capacityUsers: number, forEach: (visit: (userIdx: number, code: number) => void) => void): CodeListColumn {
    const column = new CodeListColumn(capacityUsers, 1);
    let total = 0;
    forEach((userIdx) => {
      column.ensureUsers(userIdx);
      column.count[userIdx]++;
      total++;
    });
    let at = 0;
    for (let u = 0; u < column.count.length; u++) {
      column.start[u] = at;
      at += column.count[u];
    }
    column.pool = new Uint32Array(Math.max(1, total));
    column.used = total;
    column.count.fill(0);
    forEach((userIdx, code) => {
      column.pool[column.start[userIdx] + column.count[userIdx]++] = code;
    });
    return column;
  }

  constructor(capacityUsers = 1024, capacityCodes = 4096) {
    this.start = new Uint32Array(Math.max(1, capacityUsers));
    this.count = new Uint16Array(Math.max(1, capacityUsers));
    this.pool = new Uint32Array(Math.max(1, capacityCodes));
  }

  /** The user's codes in the order they were set (a view: copy it before the next write). */
  get(userIdx: number): Uint32Array {
    if (userIdx >= this.count.length) return EMPTY;
    const n = this.count[userIdx];
    return n === 0 ? EMPTY : this.pool.subarray(this.start[userIdx], this.start[userIdx] + n);
  }

  /** Replaces the user's list. */
  set(userIdx: number, codes: ArrayLike<number>): void {
    if (codes.length > MAX_CODES_PER_USER) throw new RangeError(`a list of ${codes.length} codes; at most ${MAX_CODES_PER_USER} per user`);
    this.ensureUsers(userIdx);
    const old = this.count[userIdx];
    const n = codes.length;
    if (n <= old) {
      // Shrinks in place; the tail it frees is garbage.
      this.garbage += old - n;
    } else {
      this.garbage += old;
      this.count[userIdx] = 0;
      this.reserve(n);
      this.start[userIdx] = this.used;
      this.used += n;
    }
    const at = this.start[userIdx];
    for (let i = 0; i < n; i++) this.pool[at + i] = codes[i];
    this.count[userIdx] = n;
  }

  clear(userIdx: number): void {
    if (userIdx >= this.count.length) return;
    this.garbage += this.count[userIdx];
    this.count[userIdx] = 0;
  }

  /** Drops the pool's garbage and spare room (after a bulk load, when no growth is expected soon). */
  trim(): void {
    this.compact(Math.max(1, this.used - this.garbage));
  }

  /** Resident bytes of the column's arrays. */
  get byteLength(): number {
    return this.start.byteLength + this.count.byteLength + this.pool.byteLength;
  }

  /** Codes held by some user, and codes the pool holds but no user does (for tests). */
  get stats(): { live: number; garbage: number } {
    return { live: this.used - this.garbage, garbage: this.garbage };
  }

  private ensureUsers(userIdx: number): void {
    if (userIdx < this.count.length) return;
    let capacity = this.count.length;
    while (capacity <= userIdx) capacity *= 2;
    const start = new Uint32Array(capacity);
    start.set(this.start);
    const count = new Uint16Array(capacity);
    count.set(this.count);
    this.start = start;
    this.count = count;
  }

  /** Room for n more codes at the end of the pool: compacts first when half of it is garbage, then grows. */
  private reserve(n: number): void {
    if (this.used + n <= this.pool.length) return;
    if (this.garbage * 2 > this.used) this.compact(Math.max(this.pool.length, 2 * (this.used - this.garbage + n)));
    if (this.used + n <= this.pool.length) return;
    let capacity = this.pool.length;
    while (capacity < this.used + n) capacity *= 2;
    const pool = new Uint32Array(capacity);
    pool.set(this.pool.subarray(0, this.used));
    this.pool = pool;
  }

  /** Copies the live lists, in user order, into a new pool of poolCodes codes (at least the live ones). */
  private compact(poolCodes: number): void {
    const pool = new Uint32Array(poolCodes);
    let at = 0;
    for (let u = 0; u < this.count.length; u++) {
      const n = this.count[u];
      if (n === 0) continue;
      pool.set(this.pool.subarray(this.start[u], this.start[u] + n), at);
      this.start[u] = at;
      at += n;
    }
    this.pool = pool;
    this.used = at;
    this.garbage = 0;
  }
}

const EMPTY = new Uint32Array(0);
const MAX_CODES_PER_USER = 0xffff;
