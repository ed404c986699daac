import { describe, expect, test } from "bun:test";
import {
  escapeHelp,
  escapeLabelValue,
  formatLabels,
  formatValue,
  Registry,
} from "../../src/observe/prometheus.ts";
import { parseExposition, sampleValue } from "../support/metrics-exposition.ts";

describe("the text exposition format", () => {
  test("every line is a HELP, a TYPE or a sample that a strict reader accepts, in family order", () => {
    const registry = new Registry();
    const syncs = registry.counter("demo_sync_total", "Syncs by result.", ["destination", "result"]);
    const depth = registry.gauge("demo_queue_depth", "Keys waiting.");
    const duration = registry.histogram("demo_duration_seconds", "How long.", [0.01, 0.1, 1]);
    let scraped = 0;
    registry.collect("demo_scrapes_total", "Scrapes so far.", "counter", [], () => [{ value: ++scraped }]);
    syncs.inc({ destination: "http://b:8200", result: "written" }, 3);
    syncs.inc({ result: "unchanged", destination: "http://b:8200" });
    depth.set({}, 7);
    duration.observe(0.05);

    const text = registry.render();
    const families = parseExposition(text);

    expect([...families.keys()]).toEqual([
      "demo_sync_total",
      "demo_queue_depth",
      "demo_duration_seconds",
      "demo_scrapes_total",
    ]);
    expect(families.get("demo_sync_total")?.type).toBe("counter");
    expect(families.get("demo_duration_seconds")?.type).toBe("histogram");
    expect(text).toContain('demo_sync_total{destination="http://b:8200",result="unchanged"} 1\n');
    expect(sampleValue(families, "demo_sync_total", { result: "written" })).toBe(3);
    expect(sampleValue(families, "demo_queue_depth")).toBe(7);
    expect(sampleValue(families, "demo_scrapes_total")).toBe(1);
    expect(sampleValue(parseExposition(registry.render()), "demo_scrapes_total")).toBe(2);
  });

  test("a family with labels and no series yet shows only its HELP and TYPE", () => {
    const registry = new Registry();
    registry.gauge("demo_up", "Up.", ["destination"]);
    expect(registry.render()).toBe("# HELP demo_up Up.\n# TYPE demo_up gauge\n");
  });

  test("a family without labels shows its single series at zero before the first change", () => {
    const registry = new Registry();
    registry.counter("demo_total", "Things.");
    registry.histogram("demo_seconds", "Time.", [1]);
    const families = parseExposition(registry.render());
    expect(sampleValue(families, "demo_total")).toBe(0);
    expect(sampleValue(families, "demo_seconds_bucket", { le: "+Inf" })).toBe(0);
    expect(sampleValue(families, "demo_seconds_count")).toBe(0);
  });

  test.each([
    ["plain", "plain", "plain"],
    ['say "hi"', 'say \\"hi\\"', 'say "hi"'],
    ["C:\\vault", "C:\\\\vault", "C:\\vault"],
    ["two\nlines", "two\\nlines", "two\nlines"],
    ['\\"\n', '\\\\\\"\\n', '\\"\n'],
    ["ünïcode ✓", "ünïcode ✓", "ünïcode ✓"],
  ])("label value %j is written as %j and read back as it was", (value, written, read) => {
    expect(escapeLabelValue(value)).toBe(written);
    const registry = new Registry();
    registry.gauge("demo", "Demo.", ["v"]).set({ v: value }, 1);
    expect(registry.render()).toContain(`demo{v="${written}"} 1\n`);
    const sample = parseExposition(registry.render()).get("demo")?.samples[0];
    expect(sample?.labels.v).toBe(read);
  });

  test.each([
    ["Keys waiting.", "Keys waiting."],
    ["a\\b", "a\\\\b"],
    ["first\nsecond", "first\\nsecond"],
    ['quotes "stay"', 'quotes "stay"'],
  ])("HELP text %j is written as %j", (help, written) => {
    expect(escapeHelp(help)).toBe(written);
    const registry = new Registry();
    registry.gauge("demo", help);
    expect(registry.render()).toStartWith(`# HELP demo ${written}\n`);
    expect(parseExposition(registry.render()).get("demo")?.help).toBe(help);
  });

  test.each([
    [0, "0"],
    [42, "42"],
    [0.25, "0.25"],
    [1e-7, "1e-7"],
    [1_700_000_000.5, "1700000000.5"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [Number.NaN, "NaN"],
  ])("the number %p is written %j", (value, written) => {
    expect(formatValue(value)).toBe(written);
  });

  test("labels come out in the order the family declares them, whatever order they were given in", () => {
    expect(formatLabels(["destination", "result"], ["http://b", "written"])).toBe(
      '{destination="http://b",result="written"}',
    );
    expect(formatLabels([], [])).toBe("");
  });
});

describe("histograms", () => {
  test("buckets are cumulative, a value on a bound counts in it, and +Inf equals the count", () => {
    const registry = new Registry();
    const h = registry.histogram("demo_seconds", "Time.", [0.01, 0.1, 1]);
    for (const value of [0.005, 0.01, 0.05, 0.5, 0.5, 3]) h.observe(value);
    const families = parseExposition(registry.render());
    const buckets = families
      .get("demo_seconds")
      ?.samples.filter((s) => s.name === "demo_seconds_bucket")
      .map((s) => [s.labels.le, s.value]);
    expect(buckets).toEqual([
      ["0.01", 2],
      ["0.1", 3],
      ["1", 5],
      ["+Inf", 6],
    ]);
    expect(sampleValue(families, "demo_seconds_count")).toBe(6);
    expect(sampleValue(families, "demo_seconds_sum")).toBeCloseTo(4.065, 10);
  });

  test("each label set has its own buckets, with le last", () => {
    const registry = new Registry();
    const h = registry.histogram("demo_seconds", "Time.", [1], ["kind"]);
    h.observe(0.5, { kind: "kv" });
    h.observe(2, { kind: "policy" });
    const text = registry.render();
    expect(text).toContain('demo_seconds_bucket{kind="kv",le="1"} 1\n');
    expect(text).toContain('demo_seconds_bucket{kind="policy",le="1"} 0\n');
    expect(text).toContain('demo_seconds_bucket{kind="policy",le="+Inf"} 1\n');
    expect(sampleValue(parseExposition(text), "demo_seconds_count", { kind: "policy" })).toBe(1);
  });

  test.each([
    [[], "strictly increasing"],
    [[1, 1], "strictly increasing"],
    [[2, 1], "strictly increasing"],
    [[1, Infinity], "strictly increasing"],
  ])("buckets %p are refused", (buckets, message) => {
    expect(() => new Registry().histogram("demo_seconds", "Time.", buckets)).toThrow(message);
  });
});

describe("mistakes are caught when the metric is made or used, not by Prometheus later", () => {
  test.each([
    ["courier-sync", []],
    ["1st", []],
    ["demo", ["bad-label"]],
    ["demo", ["__reserved"]],
  ])("the name %j with labels %p is refused", (name, labels) => {
    expect(() => new Registry().counter(name, "x", labels)).toThrow("not a Prometheus");
  });

  test("a histogram cannot take le as a label of its own", () => {
    expect(() => new Registry().histogram("demo", "x", [1], ["le"])).toThrow('"le"');
  });

  test("a sample with missing or extra labels is refused with the labels the family takes", () => {
    const counter = new Registry().counter("demo_total", "x", ["destination", "result"]);
    expect(() => counter.inc({ destination: "http://b" })).toThrow("takes labels [destination, result]");
    expect(() => counter.inc({ destination: "http://b", result: "written", key: "app" })).toThrow(
      "was given [destination, result, key]",
    );
  });

  test("a label value with a NUL in it is refused, so no two label sets can share a series", () => {
    const counter = new Registry().counter("demo_total", "x", ["a", "b"]);
    expect(() => counter.inc({ a: "x\u0000y", b: "z" })).toThrow("label a must be a string without NUL");
  });

  test("a counter never goes down", () => {
    const counter = new Registry().counter("demo_total", "x");
    expect(() => counter.inc({}, -1)).toThrow("can only go up");
  });

  test("two families with one name are refused", () => {
    const registry = new Registry();
    registry.gauge("demo", "x");
    expect(() => registry.counter("demo", "y")).toThrow("defined twice");
  });
});

describe("the strict reader itself", () => {
  test.each([
    ["no newline at the end", "# HELP a x\n# TYPE a gauge\na 1"],
    ["a sample before its TYPE", "a 1\n"],
    ["a bad escape", '# HELP a x\n# TYPE a gauge\na{l="\\t"} 1\n'],
    ["a bad HELP escape", "# HELP a tab\\t\n# TYPE a gauge\n"],
    ["an unquoted label", "# HELP a x\n# TYPE a gauge\na{l=1} 1\n"],
    ["two spaces", "# HELP a x\n# TYPE a gauge\na  1\n"],
    ["not a number", "# HELP a x\n# TYPE a gauge\na one\n"],
    ["a negative counter", "# HELP a_total x\n# TYPE a_total counter\na_total -1\n"],
    ["a repeated series", "# HELP a x\n# TYPE a gauge\na 1\na 2\n"],
    [
      "buckets that fall",
      '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
  ])("refuses %s", (_, text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});
