import { Counter, type Registry } from 'prom-client';

export interface CounterTallyConfig {
  readonly name: string;
  readonly help: string;
  /** One or two labels that identify a row (e.g. slot and branch). */
  readonly rowLabels: readonly [string] | readonly [string, string];
  /** The label whose value is one of `values` (e.g. the funnel stage). */
  readonly valueLabel: string;
  readonly values: readonly string[];
  readonly registry: Registry;
}

/**
 * A Prometheus counter for code that counts on every decision. prom-client hashes the label object
 * on each inc(); here a caller gets a row's vector of sums (one entry per value of the value label)
 * and adds to it in place, and the sums are folded into the counter whenever it is read (a scrape,
 * or get()). A reader sees every count added before it read.
 */
export class CounterTally {
  private readonly pending = new Map<string, Map<string, Float64Array>>();
  readonly counter: Counter<string>;

  constructor(private readonly config: CounterTallyConfig) {
    const fold = () => this.fold();
    this.counter = new Counter({
      name: config.name,
      help: config.help,
      labelNames: [...config.rowLabels, config.valueLabel],
      registers: [config.registry],
      collect() {
        fold();
      },
    });
  }

  /** The running sums of a row, indexed like config.values; add to them in place. `second` is ignored for one-label rows. */
  row(first: string, second = ''): Float64Array {
    let inner = this.pending.get(first);
    if (inner === undefined) {
      inner = new Map();
      this.pending.set(first, inner);
    }
    let sums = inner.get(second);
    if (sums === undefined) {
      sums = new Float64Array(this.config.values.length);
      inner.set(second, sums);
    }
    return sums;
  }

  private fold(): void {
    const { rowLabels, valueLabel, values } = this.config;
    for (const [first, inner] of this.pending) {
      for (const [second, sums] of inner) {
        for (let i = 0; i < sums.length; i++) {
          if (sums[i] === 0) continue;
          // In label-name order: prom-client writes labels in the order of the object's keys.
          const labels: Record<string, string> = { [rowLabels[0]]: first };
          if (rowLabels.length === 2) labels[rowLabels[1]] = second;
          labels[valueLabel] = values[i];
          this.counter.inc(labels, sums[i]);
          sums[i] = 0;
        }
      }
    }
  }
}
