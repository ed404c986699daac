// What a `courier sync` costs Vault when nothing differs, pass after pass: requests each Vault
// answered per key, seconds, and Courier's peak resident memory (which must not grow with the
// number of keys beyond the record of what was found equal). The source and both destinations hold the same KV v2 secrets;
// Courier runs three times with one state directory (the first reads everything and records what
// it found equal, the next two trust that record and read metadata only), then once with --deep,
// then once after a value was changed by hand on one destination (it must be found and repaired).
// The ceiling: what a pass must read at least, one metadata read per key per Vault.
//   bun scripts/bench/verified-passes.ts [--keys 10000] [--root DIR] [--json]
// --root runs another checkout's src/main.ts (e.g. an older commit, for a before/after figure);
// flags it does not know (--deep) are then left out.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runOrdered } from "../../src/reconcile/one-shot.ts";
import { spawnChild } from "./lib/child.ts";
import { call, type DoubleProcess, startDoubles, stopAll } from "./lib/double.ts";
import type { VerifiedOutput, VerifiedRun } from "./lib/verified-passes-adapter.ts";

const { values } = parseArgs({
  options: {
    keys: { type: "string", default: "10000" },
    root: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const KEYS = Number(values.keys);
const MAIN = join(values.root ?? join(import.meta.dir, "..", ".."), "src", "main.ts");
const log = (message: string) => process.stderr.write(`${message}\n`);

const doubles = await startDoubles(3);
const [source, east, west] = doubles as [DoubleProcess, DoubleProcess, DoubleProcess];
const stateDir = mkdtempSync(join(tmpdir(), "courier-bench-state-"));
try {
  log(`seeding ${KEYS} KV v2 secrets on the source and both destinations…`);
  await runOrdered(
    Array.from({ length: KEYS }, (_, i) => i),
    64,
    async (i) => {
      const path = `secret/data/bench/f${String(i % 100).padStart(2, "0")}/s${i}`;
      await Promise.all(doubles.map((vault) => call(vault, "POST", path, { data: { value: `v-${i}` } })));
    },
    () => {},
  );
  const runs: VerifiedRun[] = [];
  runs.push(await sync("first", "first sync (reads everything, records what is equal)", []));
  runs.push(await sync("second", "second sync", []));
  runs.push(await sync("third", "third sync", []));
  if (values.root === undefined) runs.push(await sync("deep", "sync --deep", ["--deep"]));
  await call(east, "POST", "secret/data/bench/f07/s7", { data: { value: "changed by hand" } });
  runs.push(await sync("repaired", "sync after a value was changed by hand on east", []));
  const repaired = (await call(east, "GET", "secret/data/bench/f07/s7")) as { data: { data: unknown } };
  const fixed = JSON.stringify(repaired.data.data) === JSON.stringify({ value: "v-7" });
  report(runs, fixed);
} finally {
  await stopAll(doubles);
}

async function sync(id: string, name: string, extra: string[]): Promise<VerifiedRun> {
  await Promise.all(doubles.map((d) => call(d, "DELETE", "/_double/stats")));
  const started = performance.now();
  const child = spawnChild(
    [
      process.execPath,
      MAIN,
      "sync",
      `--vault.source.address=${source.address}`,
      `--vault.destinations.addresses=${east.address},${west.address}`,
      `--state.dir=${stateDir}`,
      ...extra,
    ],
    { VAULT_TOKEN: source.token, COURIER_VAULT_DESTINATIONS_TOKENS: east.token, COURIER_LOG_LEVEL: "warn" },
  );
  const exitCode = await child.proc.exited;
  const seconds = (performance.now() - started) / 1000;
  // Bun gives maxRSS in bytes.
  const peakMB = Math.round((child.proc.resourceUsage()?.maxRSS ?? 0) / 2 ** 20);
  const [s, e, w] = (await Promise.all(doubles.map((d) => call(d, "GET", "/_double/stats")))) as {
    total: number;
  }[];
  const requests = { source: s!.total, east: e!.total, west: w!.total };
  const perKey = (requests.source + requests.east + requests.west) / KEYS;
  log(
    `${name}: ${seconds.toFixed(2)} s, ${perKey.toFixed(2)} requests/key, ${peakMB} MiB peak, exit ${exitCode}`,
  );
  return { id, name, seconds, exitCode, requests, perKey, peakMB };
}

function report(runs: VerifiedRun[], fixed: boolean): void {
  if (values.json) {
    const output: VerifiedOutput = { keys: KEYS, ceilingPerKey: 3, runs, repaired: fixed };
    process.stdout.write(`${JSON.stringify(output)}\n`);
    return;
  }
  process.stdout.write(`${KEYS} KV v2 keys, two destinations, nothing differs (ceiling: 3 requests/key)\n`);
  for (const run of runs) {
    const { source: s, east: e, west: w } = run.requests;
    process.stdout.write(
      `${run.name.padEnd(50)} ${run.seconds.toFixed(2).padStart(7)} s  ${run.perKey.toFixed(2).padStart(5)} req/key  (source ${s}, east ${e}, west ${w})  peak ${run.peakMB} MiB  exit ${run.exitCode}\n`,
    );
  }
  process.stdout.write(`value changed by hand on east: ${fixed ? "repaired" : "NOT repaired"}\n`);
}
