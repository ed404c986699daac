// How long a binary takes to start and answer, over many runs: `bun scripts/build/startup-time.ts
// dist/courier --version` (20 runs; RUNS=50 for more). Prints the median, the fastest and the 90th
// percentile of the wall time, each run a fresh process as a user or systemd would start it.
import { formatMs } from "./format.ts";

const [binary, ...args] = Bun.argv.slice(2);
if (!binary) {
  console.error("usage: bun scripts/build/startup-time.ts <binary> [args…]");
  process.exit(2);
}
const runs = Number(process.env.RUNS ?? 20);

Bun.spawnSync([binary, ...args], { stdout: "ignore", stderr: "ignore" }); // warm the page cache
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  const run = Bun.spawnSync([binary, ...args], { stdout: "ignore", stderr: "ignore" });
  times.push(performance.now() - started);
  if (run.exitCode !== 0) throw new Error(`${binary} ${args.join(" ")} exited ${run.exitCode}`);
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
console.log(
  `${binary} ${args.join(" ")}: median ${formatMs(at(0.5))}, fastest ${formatMs(at(0))}, p90 ${formatMs(at(0.9))} over ${runs} runs`,
);
