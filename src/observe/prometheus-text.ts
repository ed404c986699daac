// The pieces of Prometheus' text exposition format (version 0.0.4) that every metric shares: names,
// escaping and number formatting. Prometheus parses this with strict rules (a stray quote in a
// label value loses the whole scrape), so everything that reaches a line passes through here.

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

/** Label values in the declared order, or an error naming what was missing or extra. */
export function labelValues(metric: string, names: readonly string[], labels: Labels): string[] {
  const given = Object.keys(labels);
  if (given.length !== names.length || names.some((name) => !(name in labels))) {
    throw new Error(`${metric} takes labels [${names.join(", ")}], was given [${given.join(", ")}]`);
  }
  return names.map((name) => labels[name] as string);
}

/** Checks a family's name and label names once, when it is made. */
export function checkFamily(name: string, labelNames: readonly string[]): void {
  checkMetricName(name);
  for (const label of labelNames) checkLabelName(label);
}
