// A Prometheus histogram: counts per upper bound, a sum and a count, per label set. Buckets are
// cumulative in the exposition (each `le` counts everything at or below it, `+Inf` equals the
// count), which is what histogram_quantile() expects.

import {
  checkFamily,
  familyHeader,
  formatLabels,
  formatValue,
  type Labels,
  labelValues,
} from "./prometheus-text.ts";

interface Series {
  values: string[];
  /** Observations per bucket, not cumulative; the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram {
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    readonly labelNames: readonly string[] = [],
  ) {
    checkFamily(name, labelNames);
    if (labelNames.includes("le")) throw new Error(`${name}: "le" is the bucket label and cannot be used`);
    if (
      buckets.length === 0 ||
      buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (buckets[i - 1] as number)))
    ) {
      throw new Error(`${name}: buckets must be finite and strictly increasing, got [${buckets.join(", ")}]`);
    }
    this.#bounds = [...buckets, Number.POSITIVE_INFINITY];
    // Without labels there is exactly one series: show it (all zero) before the first observation.
    if (labelNames.length === 0) this.#seriesFor([]);
  }

  /** Records one value (for a duration: seconds). */
  observe(value: number, labels: Labels = {}): void {
    const series = this.#seriesFor(labelValues(this.name, this.labelNames, labels));
    const index = this.#bounds.findIndex((bound) => value <= bound);
    // NaN is at or below no bound: it still counts, in +Inf, as Prometheus' own clients do.
    series.counts[index === -1 ? series.counts.length - 1 : index]! += 1;
    series.sum += value;
    series.count += 1;
  }

  #seriesFor(values: string[]): Series {
    const key = JSON.stringify(values);
    let series = this.#series.get(key);
    if (!series) {
      series = { values, counts: this.#bounds.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    return series;
  }

  render(): string {
    let text = familyHeader(this.name, this.help, "histogram");
    const names = [...this.labelNames, "le"];
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += series.counts[i] ?? 0;
        const labels = formatLabels(names, [...series.values, formatValue(bound)]);
        text += `${this.name}_bucket${labels} ${cumulative}\n`;
      });
      const labels = formatLabels(this.labelNames, series.values);
      text += `${this.name}_sum${labels} ${formatValue(series.sum)}\n`;
      text += `${this.name}_count${labels} ${series.count}\n`;
    }
    return text;
  }
}
