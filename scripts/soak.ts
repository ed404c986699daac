// The long run: `bun scripts/soak.ts [--minutes 10] [--rate 500] [--keys 3000] [--out DIR]`.
// A source and two destination doubles and a Courier process, all on loopback; a steady write
// load across a few thousand keys (KV v2, KV v1, ACL policies, one in ten a delete) with faults
// injected at random (a destination down, answering 500s, slow; the source sealed or refusing a
// path; Courier stopped). It stops by itself after --minutes, then checks that `courier diff` is
// clean, that every destination holds exactly what the source holds, that nothing was logged as
// an error or printed outside the log, and that Courier's resident memory, sampled every 10 s, did
// not grow after warm-up. Writes soak.json to --out; exits 1 if any check failed.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { latency, WriteLoad } from "./faults/load.ts";
import { compareStates, readState } from "./faults/state.ts";
import { LagProbe, RetryCounter, untilInSync } from "./faults/watch.ts";
import { startWorld } from "./faults/world.ts";
import { MemorySeries } from "./soak/memory-series.ts";
import { RandomFaults } from "./soak/random-faults.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    rate: { type: "string", default: "500" },
    keys: { type: "string", default: "3000" },
    out: { type: "string", default: "." },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const keys = Number(values.keys);
if (!(minutes > 0 && minutes <= 120 && rate > 0 && rate <= 5_000 && keys > 0)) {
  console.error("usage: bun scripts/soak.ts [--minutes 1..120] [--rate 1..5000] [--keys N] [--out DIR]");
  process.exit(2);
}

const log = (text: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
log(`soak: ${minutes} min at ${rate} writes/s over ${keys} keys`);
// info, not debug: a line per sync at this rate would only measure the log pipe.
const world = await startWorld({ transport: "udp", keys, flags: ["--log.level=info"] });
const h = world.harness!;
const started = performance.now();
const memory = new MemorySeries(() => h.courier.child.pid, started);
const retries = new RetryCounter(world);
await retries.zero();
const load = new WriteLoad(world.source, { rate, keys, maxOutstanding: 1024 });
const probe = new LagProbe(world.source, world.destinations);
const faults = new RandomFaults(world, started);
memory.start();
load.start();
probe.start();
faults.start();

const endAt = started + minutes * 60_000;
for (let left = endAt - performance.now(); left > 50; left = endAt - performance.now()) {
  await Bun.sleep(Math.min(30_000, left));
  const last = memory.samples.at(-1);
  const latest = faults.injected.at(-1);
  log(
    `${Math.round((performance.now() - started) / 1000)} s: ${load.operations.length} writes, RSS ${last?.[1]} MiB, ` +
      `${faults.injected.length} faults so far${latest ? ` (last: ${latest.id} at ${latest.at} s)` : ""}`,
  );
}

await faults.stop();
const stoppedAt = performance.now();
await load.stop();
await probe.stop();
log("load stopped; waiting for courier diff to say in sync");
const synced = await untilInSync(world, stoppedAt, 180_000);
await retries.read();
memory.stop();
const sourceState = await readState(world.source);
const state = await Promise.all(
  world.destinations.map(async (d) => compareStates(sourceState, await readState(d))),
);
const errors = world.errors();
// Anything on stderr that is not a JSON log line is output nobody meant: an unhandled error's trace.
const stray = h.courier
  .stderr()
  .split("\n")
  .filter((line) => line !== "" && !line.startsWith("{"));
const warmUpSeconds = Math.min(120, Math.round((minutes * 60) / 5));
const rss = memory.verdict(warmUpSeconds);
await world.stop();

const ops = load.operations;
const report = {
  minutes,
  rate,
  keys,
  writes: { sent: ops.length, failed: ops.filter((o) => !o.ok).length, skipped: load.skipped },
  latency: latency(ops, 0, Number.POSITIVE_INFINITY),
  faults: faults.injected,
  inSyncAfterMs: synced?.ms ?? null,
  retries: retries.total(),
  state,
  errors,
  stray,
  rss,
};
writeFileSync(join(values.out ?? ".", "soak.json"), `${JSON.stringify(report, null, 2)}\n`);
log(`writes: ${JSON.stringify(report.writes)}, latency ${JSON.stringify(report.latency)}`);
log(
  `faults injected: ${faults.injected.length} (${faults.injected.map((f) => `${f.id}@${f.at}s/${f.ms}ms`).join(", ")})`,
);
log(
  `in sync ${synced ? `${synced.ms} ms after the load stopped` : "NEVER"}; retries ${JSON.stringify(report.retries)}`,
);
log(
  `state: ${JSON.stringify(state.map((d) => [d.missing, d.extra, d.differs]))}; error lines ${errors.length}; stray stderr lines ${stray.length}`,
);
log(`RSS every 10 s (MiB): ${rss.samples.map(([, mb]) => mb).join(" ")}`);
log(
  `RSS after warm-up (${warmUpSeconds} s): ${rss.early} MiB early, ${rss.late} MiB late: ${rss.grew ? "GREW" : "flat"}`,
);
const ok =
  synced !== undefined &&
  state.every((d) => d.missing + d.extra + d.differs === 0) &&
  errors.length === 0 &&
  stray.length === 0 &&
  !rss.grew;
log(ok ? "soak passed" : "soak FAILED");
process.exit(ok ? 0 : 1);
