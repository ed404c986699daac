// A small Prometheus registry: counters and gauges with labels, histograms, and families whose
// samples are read only when scraped (queue depth, ingest counters), rendered in the text format.
// Small on purpose: Courier needs a dozen families, not a client library. Below the registry: the
// series table every family keeps, the histogram, and the text format's own rules.

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

// The series of one metric family: one per label set, made the first time it is used and rendered
// in that order. Counters, gauges and histograms differ only in what a series holds.
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
    const key = seriesKey(this.labelNames, labels) ?? refuseLabels(this.name, this.labelNames, labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { values: labelValues(this.name, this.labelNames, labels), state: this.empty() };
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

// A Prometheus histogram: counts per upper bound, a sum and a count, per label set. Buckets are
// cumulative in the exposition (each `le` counts everything at or below it, `+Inf` equals the
// count), which is what histogram_quantile() expects.
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

// The text exposition format (version 0.0.4): names, escaping and number formatting. Prometheus
// parses it with strict rules (a stray quote in a label value loses the whole scrape), so
// everything that reaches a line passes through here.

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** checkMetricName("courier_sync_total") → ok; checkMetricName("courier-sync") → throws */
export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`not a Prometheus metric name: ${JSON.stringify(name)}`);
}

/** checkLabelName("destination") → ok; checkLabelName("__name__") → throws (reserved) */
export function checkLabelName(name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith("__")) {
    throw new Error(`not a Prometheus label name: ${JSON.stringify(name)}`);
  }
}

/** escapeLabelValue('a "b"\\c\nd') → 'a \\"b\\"\\\\c\\nd' (backslash, quote and newline escaped) */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** escapeHelp('a\\b\nc "d"') → 'a\\\\b\\nc "d"' (quotes stay as they are in HELP text) */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** formatValue(0.25) → "0.25"; formatValue(Infinity) → "+Inf"; formatValue(NaN) → "NaN" */
export function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/**
 * The label part of a sample line, in the order the names are given; empty when there are none.
 * formatLabels(["destination","result"], ["http://b:8200","written"]) → '{destination="http://b:8200",result="written"}'
 */
export function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return "";
  const pairs = names.map((name, i) => `${name}="${escapeLabelValue(values[i] ?? "")}"`);
  return `{${pairs.join(",")}}`;
}

/** The two comment lines that open a family: "# HELP name text\n# TYPE name counter\n". */
export function familyHeader(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/**
 * The series' key in its table: the label values in declared order, NUL-separated (labelValues
 * refuses a NUL in a value, so two label sets never share a key); undefined when a label is
 * missing, extra, not a string or holds a NUL. Runs for every observation: one string, no array.
 */
function seriesKey(names: readonly string[], labels: Labels): string | undefined {
  let key = "";
  let count = 0;
  for (const name of names) {
    const value = labels[name];
    if (typeof value !== "string" || value.includes("\u0000")) return undefined;
    key = count++ === 0 ? value : `${key}\u0000${value}`;
  }
  for (const _ in labels) count--;
  return count === 0 ? key : undefined;
}

/** seriesKey found no key: labelValues says why, naming the labels the family takes. */
function refuseLabels(metric: string, names: readonly string[], labels: Labels): never {
  labelValues(metric, names, labels);
  throw new Error(`${metric}: labels refused`); // not reached: labelValues refuses what seriesKey does
}

/** Label values in the declared order, or an error naming what was missing or extra. */
export function labelValues(metric: string, names: readonly string[], labels: Labels): string[] {
  const given = Object.keys(labels);
  if (given.length !== names.length || names.some((name) => !(name in labels))) {
    throw new Error(`${metric} takes labels [${names.join(", ")}], was given [${given.join(", ")}]`);
  }
  for (const name of names) {
    const value = labels[name];
    if (typeof value !== "string" || value.includes("\u0000")) {
      throw new Error(`${metric} label ${name} must be a string without NUL, was ${JSON.stringify(value)}`);
    }
  }
  return names.map((name) => labels[name] as string);
}

/** Checks a family's name and label names once, when it is made. */
export function checkFamily(name: string, labelNames: readonly string[]): void {
  checkMetricName(name);
  for (const label of labelNames) checkLabelName(label);
}
