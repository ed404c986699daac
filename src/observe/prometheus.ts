// A small Prometheus registry: counters and gauges with labels, histograms, and families whose
// samples are read only when scraped (queue depth, ingest counters), rendered in the text format.
// Small on purpose: Courier needs a dozen families, not a client library.

import { Histogram } from "./prometheus-histogram.ts";
import { SeriesTable } from "./prometheus-series.ts";
import {
  checkFamily,
  familyHeader,
  formatLabels,
  formatValue,
  type Labels,
  labelValues,
} from "./prometheus-text.ts";

export { Histogram } from "./prometheus-histogram.ts";
export type { Labels } from "./prometheus-text.ts";

/** One sample a scrape-time family reports. */
export interface Sample {
  labels?: Labels;
  value: number;
}

interface Family {
  readonly name: string;
  /** Its HELP and TYPE lines, then one line per sample, each ending in a newline. */
  render(): string;
}

export class Registry {
  readonly #families = new Map<string, Family>();

  /** A counter: only goes up. counter("courier_sync_total", "…", ["destination", "result"]) */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }

  /** A gauge: set to whatever is true now. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames));
  }

  /** A histogram with these upper bounds (+Inf is added). */
  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly string[] = [],
  ): Histogram {
    return this.#add(new Histogram(name, help, buckets, labelNames));
  }

  /**
   * A counter or gauge whose samples `read` returns at each scrape, for numbers another part
   * already keeps. Every sample must carry exactly `labelNames`.
   */
  collect(
    name: string,
    help: string,
    type: "counter" | "gauge",
    labelNames: readonly string[],
    read: () => readonly Sample[],
  ): void {
    this.#add(new Collected(name, help, type, labelNames, read));
  }

  /** The whole exposition, families in the order they were made. */
  render(): string {
    let text = "";
    for (const family of this.#families.values()) text += family.render();
    return text;
  }

  #add<F extends Family>(family: F): F {
    if (this.#families.has(family.name)) throw new Error(`metric ${family.name} is defined twice`);
    this.#families.set(family.name, family);
    return family;
  }
}

/** Counters and gauges: one number per label set. */
abstract class Scalar implements Family {
  readonly #series: SeriesTable<{ value: number }>;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly type: "counter" | "gauge",
  ) {
    this.#series = new SeriesTable(name, labelNames, () => ({ value: 0 }));
    this.#series.showUnlabelled();
  }

  protected update(labels: Labels, change: (current: number) => number): void {
    const series = this.#series.get(labels);
    series.value = change(series.value);
  }

  render(): string {
    let text = familyHeader(this.name, this.help, this.type);
    for (const { values, state } of this.#series) {
      text += `${this.name}${formatLabels(this.labelNames, values)} ${formatValue(state.value)}\n`;
    }
    return text;
  }
}

export class Counter extends Scalar {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super(name, help, labelNames, "counter");
  }

  /** Adds `by` (default 1); a counter never goes down. */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name} can only go up, was asked to add ${by}`);
    this.update(labels, (current) => current + by);
  }
}

export class Gauge extends Scalar {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super(name, help, labelNames, "gauge");
  }

  set(labels: Labels, value: number): void {
    this.update(labels, () => value);
  }
}

class Collected implements Family {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: "counter" | "gauge",
    private readonly labelNames: readonly string[],
    private readonly read: () => readonly Sample[],
  ) {
    checkFamily(name, labelNames);
  }

  render(): string {
    let text = familyHeader(this.name, this.help, this.type);
    for (const sample of this.read()) {
      const values = labelValues(this.name, this.labelNames, sample.labels ?? {});
      text += `${this.name}${formatLabels(this.labelNames, values)} ${formatValue(sample.value)}\n`;
    }
    return text;
  }
}
