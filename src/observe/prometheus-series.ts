// The series of one metric family: one per label set, made the first time it is used and rendered
// in that order. Counters, gauges and histograms differ only in what a series holds.

import { checkFamily, type Labels, labelValues } from "./prometheus-text.ts";

export interface Series<T> {
  /** Label values in the family's declared order. */
  values: string[];
  state: T;
}

export class SeriesTable<T> {
  readonly #series = new Map<string, Series<T>>();

  /** Checks the family's names; `empty` makes the state of a series that has seen nothing. */
  constructor(
    readonly name: string,
    readonly labelNames: readonly string[],
    private readonly empty: () => T,
  ) {
    checkFamily(name, labelNames);
  }

  /** The state for `labels`, made on first use; labels missing or extra throw, naming the family's. */
  get(labels: Labels): T {
    const values = labelValues(this.name, this.labelNames, labels);
    const key = JSON.stringify(values);
    let series = this.#series.get(key);
    if (!series) {
      series = { values, state: this.empty() };
      this.#series.set(key, series);
    }
    return series.state;
  }

  /** Without labels there is exactly one series: made now, a scrape shows it at zero before the first change. */
  showUnlabelled(): void {
    if (this.labelNames.length === 0) this.get({});
  }

  [Symbol.iterator](): IterableIterator<Series<T>> {
    return this.#series.values();
  }
}
