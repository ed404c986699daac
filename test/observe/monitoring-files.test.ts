// The Grafana dashboard and Prometheus alert rules that ship beside the binary: they load, every
// courier_… metric and label they name is one a running Courier serves on /metrics, and promtool
// accepts the rules.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePromtool } from "../../scripts/monitoring/ensure-promtool.ts";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { eventually } from "../support/eventually.ts";
import { type ParsedFamily, parseExposition } from "../support/metrics-exposition.ts";
import { ROOT } from "../support/process.ts";

const DASHBOARD = join(ROOT, "scripts", "monitoring", "grafana-dashboard.json");
const RULES = join(ROOT, "scripts", "monitoring", "courier-rules.yaml");
/** Labels Prometheus adds to every series it scrapes; Courier does not export them. */
const TARGET_LABELS = new Set(["instance", "job"]);

interface Panel {
  title: string;
  type: string;
  datasource?: { uid?: string };
  targets?: { expr: string; datasource?: { uid?: string } }[];
}
interface Dashboard {
  uid?: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; datasource?: { uid?: string } }[] };
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Dashboard;
const rules = (Bun.YAML.parse(readFileSync(RULES, "utf8")) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);
// Only a promtool already on PATH or cached: `bun run promtool` (part of `npm test`) builds it.
const promtool = await ensurePromtool({ build: false });
const noPromtool = promtool.ok ? undefined : promtool.reason;
if (noPromtool) console.log(`promtool checks skipped: ${noPromtool}`);

const dashboardExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const ruleExprs = rules.map((r) => r.expr);

describe("the dashboard", () => {
  test("is a Grafana dashboard whose every query goes through the datasource variable", () => {
    expect(dashboard.uid).toBeUndefined(); // Grafana gives an imported dashboard its own
    const variable = dashboard.templating.list.find((v) => v.name === "datasource");
    expect(variable).toMatchObject({ type: "datasource", query: "prometheus" });
    const uids = new Set(
      dashboard.panels.flatMap((p) => [
        ...(p.type === "row" ? [] : [p.datasource?.uid]),
        ...(p.targets ?? []).map((t) => t.datasource?.uid),
      ]),
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template
    expect([...uids]).toEqual(["${datasource}"]);
    expect(JSON.stringify(dashboard)).not.toMatch(/"uid":\s*"(?!\$\{datasource\})/);
  });

  test("shows what an operator looks for, one panel each", () => {
    expect(dashboard.panels.filter((p) => p.type !== "row").map((p) => p.title)).toEqual([
      "Destination up",
      "Since the last successful pass",
      "Drift found by the last pass",
      "Sync rate by destination and result",
      "Sync latency",
      "Queue depth and in flight",
      "Source read errors",
      "Audit entries by outcome",
      "UDP drops and queue overflow",
      "Build info",
    ]);
    const latency = dashboard.panels.find((p) => p.title === "Sync latency")!;
    expect(latency.targets!.map((t) => /histogram_quantile\(([\d.]+)/.exec(t.expr)?.[1])).toEqual([
      "0.5",
      "0.9",
      "0.99",
    ]);
  });
});

describe("the alert rules", () => {
  test("cover the ways replicas go stale, each with a severity and a summary", () => {
    expect(rules.map((r) => r.alert)).toEqual([
      "CourierDown",
      "CourierAbsent",
      "CourierDestinationDown",
      "CourierReconcileOverdue",
      "CourierNoReconcileSinceStart",
      "CourierDriftFound",
      "CourierUdpDrops",
      "CourierQueueNearFull",
      "CourierQueueOverflow",
    ]);
    expect(rules.find((r) => r.alert === "CourierDestinationDown")?.for).toBe("5m");
  });

  test.skipIf(noPromtool !== undefined)("promtool check rules accepts them", () => {
    const check = Bun.spawnSync([(promtool as { path: string }).path, "check", "rules", RULES]);
    expect({ code: check.exitCode, out: check.stdout.toString() + check.stderr.toString() }).toMatchObject({
      code: 0,
      out: expect.stringContaining("SUCCESS: 9 rules found"),
    });
  });
});

describe("against a running Courier's /metrics", () => {
  let h: Harness;
  let families: Map<string, ParsedFamily>;

  beforeAll(async () => {
    h = await startHarness({ transport: "udp", destinations: 1, flags: ["--http.address=127.0.0.1:0"] });
    const url = String((await h.courier.waitForLog("serving /healthz, /readyz and /metrics")).address);
    // One synced key, so the families that only have samples after a sync (destination up) do too.
    await h.source.must("POST", "secret/data/monitoring/probe", { data: { a: "1" } });
    families = await eventually(async () => {
      const scraped = parseExposition(await (await fetch(`${url}/metrics`)).text());
      expect(scraped.get("courier_destination_up")?.samples.length).toBe(1);
      expect(
        scraped.get("courier_reconcile_last_success_timestamp_seconds")?.samples[0]?.value,
      ).toBeGreaterThan(0);
      return scraped;
    });
  }, 30_000);

  afterAll(async () => {
    await h?.stop();
  });

  const served = () => {
    const labels = new Map<string, Set<string>>();
    for (const family of families.values()) {
      for (const sample of family.samples) {
        const known = labels.get(sample.name) ?? new Set<string>();
        for (const name of Object.keys(sample.labels)) known.add(name);
        labels.set(sample.name, known);
      }
    }
    return labels;
  };

  test.each([
    ["dashboard", () => dashboardExprs],
    ["alert rules", () => ruleExprs],
  ])("every courier_ metric the %s name is served, with every label they select or group by", (_, exprs) => {
    const labels = served();
    const unknown: string[] = [];
    for (const expr of exprs()) {
      const metrics = [...expr.matchAll(/\bcourier_\w+/g)].map((m) => m[0]);
      // Only "is Courier scraped at all" may go without one: Prometheus's own up series.
      if (metrics.length === 0) expect(expr).toMatch(/\bup\{job="courier"\}/);
      for (const metric of metrics) if (!labels.has(metric)) unknown.push(`${metric} (in ${expr})`);
      const known = new Set(metrics.flatMap((m) => [...(labels.get(m) ?? [])]));
      for (const label of namedLabels(expr)) {
        if (!known.has(label) && !TARGET_LABELS.has(label)) unknown.push(`label ${label} (in ${expr})`);
      }
    }
    expect(unknown).toEqual([]);
  });

  test("courier_build_info names the version, commit and target `courier version` prints", async () => {
    const build = families.get("courier_build_info")?.samples[0]?.labels;
    const printed = Bun.spawnSync([
      process.execPath,
      join(ROOT, "src", "main.ts"),
      "version",
    ]).stdout.toString();
    expect(printed).toBe(
      `courier ${build?.version}\ncommit  ${build?.commit}\ntarget  ${build?.target}\nbun     ${Bun.version}\n`,
    );
  });
});

/**
 * Label names a PromQL expression selects on or groups by.
 * namedLabels('sum by (le, destination) (rate(x{instance=~"$i", result!="ok"}[5m]))') → ["le", "destination", "instance", "result"]
 */
function namedLabels(expr: string): string[] {
  const grouped = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(","));
  const selected = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
    [...m[1]!.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!),
  );
  return [...grouped, ...selected].map((l) => l.trim()).filter((l) => l !== "");
}
