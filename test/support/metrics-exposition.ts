// A strict reader of Prometheus' text format (0.0.4), for tests: every line must be a HELP, a
// TYPE or a sample Prometheus would accept, every sample must belong to the family declared just
// before it, and histograms must be cumulative and end in +Inf = _count. Anything else throws,
// naming the line.

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: ParsedSample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="/;
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const families = new Map<string, ParsedFamily>();
  const seen = new Set<string>();
  let current: ParsedFamily | undefined;
  let help: { name: string; text: string } | undefined;
  text
    .slice(0, -1)
    .split("\n")
    .forEach((line, i) => {
      const fail = (why: string) => new Error(`line ${i + 1} ${JSON.stringify(line)}: ${why}`);
      const helpLine = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
      const typeLine = new RegExp(`^# TYPE (${NAME}) (\\S+)$`).exec(line);
      if (helpLine) {
        const [, name, body] = helpLine as unknown as [string, string, string];
        if (families.has(name) || help) throw fail("a second HELP, or HELP without TYPE");
        if ([...body.matchAll(/\\(.?)/g)].some(([, c]) => c !== "\\" && c !== "n"))
          throw fail("HELP escapes only \\\\ and \\n");
        help = { name, text: unescapeHelp(body) };
      } else if (typeLine) {
        const [, name, type] = typeLine as unknown as [string, string, string];
        if (help?.name !== name) throw fail("TYPE must follow its HELP");
        if (!TYPES.has(type) || families.has(name)) throw fail("unknown type or a second TYPE");
        current = { name, help: help.text, type, samples: [] };
        families.set(name, current);
        help = undefined;
      } else {
        const sample = parseSample(line, fail);
        if (!current || !belongs(sample.name, current)) throw fail("sample outside its family");
        if (current.type === "counter" && !(sample.value >= 0)) throw fail("a counter below zero");
        const id = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
        if (seen.has(id)) throw fail("the same series twice");
        seen.add(id);
        current.samples.push(sample);
      }
    });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; undefined if none. */
export function sampleValue(
  families: Map<string, ParsedFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = [...families.values()].find((f) => f.samples.some((s) => s.name === name));
  const matches = (family?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length > 1)
    throw new Error(`${name} ${JSON.stringify(labels)} matches ${matches.length} samples`);
  return matches[0]?.value;
}

function parseSample(line: string, fail: (why: string) => Error): ParsedSample {
  const head = new RegExp(`^(${NAME})`).exec(line);
  if (!head) throw fail("not a HELP, TYPE or sample line");
  const name = head[1] as string;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const label = LABEL.exec(rest);
      if (!label) throw fail('a label must be name="value"');
      const key = label[1] as string;
      if (key in labels || key.startsWith("__")) throw fail(`label ${key} repeated or reserved`);
      rest = rest.slice(label[0].length);
      let value = "";
      for (;;) {
        const c = rest[0];
        if (c === undefined) throw fail("unterminated label value");
        if (c === '"') break;
        if (c === "\n") throw fail("raw newline in a label value");
        if (c === "\\") {
          const next = rest[1];
          if (next !== "\\" && next !== '"' && next !== "n")
            throw fail('label values escape only \\\\ \\" \\n');
          value += next === "n" ? "\n" : next;
          rest = rest.slice(2);
        } else {
          value += c;
          rest = rest.slice(1);
        }
      }
      labels[key] = value;
      rest = rest.slice(1);
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw fail("labels are separated by commas");
    }
    rest = rest.slice(1);
  }
  const value = /^ (\S+)$/.exec(rest);
  if (!value || !NUMBER.test(value[1] as string)) throw fail("a sample ends in one space and a number");
  const text = value[1] as string;
  const number = text === "+Inf" ? Infinity : text === "-Inf" ? -Infinity : Number(text);
  return { name, labels, value: number };
}

function belongs(name: string, family: ParsedFamily): boolean {
  if (family.type !== "histogram") return name === family.name;
  return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`].includes(name);
}

function checkHistogram(family: ParsedFamily): void {
  const groups = new Map<string, ParsedSample[]>();
  for (const sample of family.samples.filter((s) => s.name.endsWith("_bucket"))) {
    if (!("le" in sample.labels)) throw new Error(`${family.name}: a bucket without le`);
    const { le: _, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  for (const [key, buckets] of groups) {
    const bounds = buckets.map((b) => (b.labels.le === "+Inf" ? Infinity : Number(b.labels.le)));
    if (bounds.some((b, i) => Number.isNaN(b) || (i > 0 && b <= (bounds[i - 1] as number))))
      throw new Error(`${family.name}: le must rise`);
    if (buckets.some((b, i) => i > 0 && b.value < (buckets[i - 1] as ParsedSample).value))
      throw new Error(`${family.name}: buckets must be cumulative`);
    const count = family.samples.find(
      (s) => s.name === `${family.name}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key,
    );
    if (bounds.at(-1) !== Infinity || buckets.at(-1)?.value !== count?.value)
      throw new Error(`${family.name}: the +Inf bucket must equal _count`);
  }
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c) => (c === "n" ? "\n" : "\\"));
}
