/**
 * Bounded selection of the k best (sim desc, id asc) candidates with a binary min-heap whose root is the
 * worst kept candidate; O(n log k).
 */
export class TopK {
  readonly ids: Uint32Array;
  readonly sims: Float64Array;
  size = 0;

  constructor(private readonly k: number) {
    this.ids = new Uint32Array(k);
    this.sims = new Float64Array(k);
  }

  // a is worse than b when it has the lower sim, or the same sim and the higher id.
  private worse(a: number, b: number): boolean {
    return this.sims[a] < this.sims[b] || (this.sims[a] === this.sims[b] && this.ids[a] > this.ids[b]);
  }

  private swap(a: number, b: number): void {
    const id = this.ids[a];
    this.ids[a] = this.ids[b];
    this.ids[b] = id;
    const s = this.sims[a];
    this.sims[a] = this.sims[b];
    this.sims[b] = s;
  }

  reset(): void {
    this.size = 0;
  }

  offer(id: number, sim: number): void {
    if (this.k === 0) return;
    if (this.size < this.k) {
      let c = this.size++;
      this.ids[c] = id;
      this.sims[c] = sim;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!this.worse(c, p)) break;
        this.swap(c, p);
        c = p;
      }
      return;
    }
    if (sim < this.sims[0] || (sim === this.sims[0] && id > this.ids[0])) return;
    this.ids[0] = id;
    this.sims[0] = sim;
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < this.size && this.worse(l, m)) m = l;
      if (r < this.size && this.worse(r, m)) m = r;
      if (m === p) break;
      this.swap(p, m);
      p = m;
    }
  }

  /** Kept candidates, best first. */
  sortedIndices(): number[] {
    const order = Array.from({ length: this.size }, (_, k) => k);
    return order.sort((a, b) => this.sims[b] - this.sims[a] || this.ids[a] - this.ids[b]);
  }
}
