// The fault matrix: `bun scripts/faults/run.ts [--quick] [--rows a,b] [--out DIR] [--rate N] [--keys N]`.
// Each row starts a source and two destination doubles and a Courier on loopback, puts a steady
// write load on the source, causes one fault, clears it, and measures the way back (see
// run-row.ts). Writes faults.md and faults.json to --out (default: the current directory) and
// exits 1 if a row never came back in sync, lost or left a key, or logged an error.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type PortTakenResult, runPortTaken } from "./port-taken.ts";
import { json, markdown } from "./report.ts";
import { ROWS } from "./rows.ts";
import { type MatrixOptions, type RowResult, runRow } from "./run-row.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rows: { type: "string" },
    out: { type: "string", default: "." },
    rate: { type: "string", default: "100" },
    keys: { type: "string", default: "300" },
  },
});
const options: MatrixOptions = {
  quick: values.quick ?? false,
  rate: Number(values.rate),
  keys: Number(values.keys),
  syncLimitMs: values.quick ? 30_000 : 120_000,
};
const wanted = values.rows?.split(",");
const allIds = [...ROWS.map((r) => r.id), "port-taken-tcp", "port-taken-udp"];
for (const id of wanted ?? []) {
  if (!allIds.includes(id)) {
    console.error(`unknown row "${id}"; rows: ${allIds.join(", ")}`);
    process.exit(2);
  }
}
const chosen = (id: string) => wanted === undefined || wanted.includes(id);

const results: RowResult[] = [];
for (const row of ROWS.filter((r) => chosen(r.id))) {
  const started = performance.now();
  console.log(`${row.id}: running…`);
  const result = await runRow(row, options);
  results.push(result);
  console.log(
    `${row.id}: in sync ${result.inSyncAfterMs === null ? "never" : `after ${result.inSyncAfterMs} ms`}, retries ${JSON.stringify(result.retries)}, state ${JSON.stringify(result.state.map((d) => [d.missing, d.extra, d.differs]))} (${Math.round((performance.now() - started) / 1000)} s)`,
  );
}
const ports: PortTakenResult[] = [];
for (const transport of ["tcp", "udp"] as const) {
  if (!chosen(`port-taken-${transport}`)) continue;
  const result = await runPortTaken(transport);
  ports.push(result);
  console.log(`${result.id}: exit ${result.exitCode} after ${result.ms} ms: ${result.message}`);
}

const out = values.out ?? ".";
writeFileSync(join(out, "faults.md"), markdown(results, ports, options));
writeFileSync(join(out, "faults.json"), json(results, ports, options));
console.log(`\n${markdown(results, ports, options)}`);

const bad = [
  ...results.filter(
    (r) =>
      r.errors.length > 0 ||
      (r.expectsDrift === undefined &&
        (r.inSyncAfterMs === null || r.state.some((d) => d.missing + d.extra + d.differs > 0))),
  ),
  ...ports.filter((p) => p.exitCode === 0),
];
process.exit(bad.length > 0 ? 1 : 0);
