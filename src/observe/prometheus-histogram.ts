// A Prometheus histogram: counts per upper bound, a sum and a count, per label set. Buckets are
// cumulative in the exposition (each `le` counts everything at or below it, `+Inf` equals the
// count), which is what histogram_quantile() expects.

import { SeriesTable } from "./prometheus-series.ts";
import { familyHeader, formatLabels, formatValue, type Labels } from "./prometheus-text.ts";

interface Buckets {
  /** Observations per bucket, not cumulative; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram {
  readonly #bounds: readonly number[];
  readonly #series: SeriesTable<Buckets>;

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    readonly labelNames: readonly string[] = [],
  ) {
    this.#series = new SeriesTable(name, labelNames, () => ({
      counts: this.#bounds.map(() => 0),
      sum: 0,
      count: 0,
    }));
    if (labelNames.includes("le")) throw new Error(`${name}: "le" is the bucket label and cannot be used`);
    if (
      buckets.length === 0 ||
      buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (buckets[i - 1] as number)))
    ) {
      throw new Error(`${name}: buckets must be finite and strictly increasing, got [${buckets.join(", ")}]`);
    }
    this.#bounds = [...buckets, Number.POSITIVE_INFINITY];
    this.#series.showUnlabelled();
  }

  /** Records one value (for a duration: seconds). */
  observe(value: number, labels: Labels = {}): void {
    const series = this.#series.get(labels);
    const index = this.#bounds.findIndex((bound) => value <= bound);
    // NaN is at or below no bound: it still counts, in +Inf, as Prometheus' own clients do.
    series.counts[index === -1 ? series.counts.length - 1 : index]! += 1;
    series.sum += value;
    series.count += 1;
  }

  render(): string {
    let text = familyHeader(this.name, this.help, "histogram");
    const names = [...this.labelNames, "le"];
    for (const { values, state: series } of this.#series) {
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += series.counts[i] ?? 0;
        const labels = formatLabels(names, [...values, formatValue(bound)]);
        text += `${this.name}_bucket${labels} ${cumulative}\n`;
      });
      const labels = formatLabels(this.labelNames, values);
      text += `${this.name}_sum${labels} ${formatValue(series.sum)}\n`;
      text += `${this.name}_count${labels} ${series.count}\n`;
    }
    return text;
  }
}
