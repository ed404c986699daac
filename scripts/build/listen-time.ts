// How long a server takes from exec to answering HTTP, and how much memory it holds once idle:
//   bun scripts/build/listen-time.ts --url http://127.0.0.1:9102/health [--runs 5] [--idle 5] \
//     -- dist/courier run --config courier.yaml
// Each run starts the command afresh, polls the URL until any HTTP answer comes back, and then
// stops it with SIGTERM; after the last run it waits --idle seconds and reads the resident memory.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatBytes, formatMs } from "./format.ts";

const split = Bun.argv.indexOf("--");
const { values } = parseArgs({
  args: Bun.argv.slice(2, split === -1 ? undefined : split),
  options: {
    url: { type: "string" },
    runs: { type: "string", default: "5" },
    idle: { type: "string", default: "5" },
  },
});
const command = split === -1 ? [] : Bun.argv.slice(split + 1);
if (!values.url || command.length === 0) {
  console.error(
    "usage: bun scripts/build/listen-time.ts --url <loopback url> [--runs n] [--idle s] -- <command…>",
  );
  process.exit(2);
}
const url = new URL(values.url);
if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
  console.error(`only a loopback URL is polled, not ${url.hostname}`);
  process.exit(2);
}

const runs = Number(values.runs);
const times: number[] = [];
let rss: number | undefined;
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  const proc = Bun.spawn(command, { stdout: "ignore", stderr: "inherit" });
  times.push(await firstAnswer(url, proc, started));
  if (i === runs - 1) {
    await Bun.sleep(Number(values.idle) * 1000);
    rss = residentBytes(proc.pid);
  }
  proc.kill("SIGTERM");
  await proc.exited;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] ?? 0;
console.log(
  `${command.join(" ")}: answers after ${formatMs(median)} (median of ${runs}; fastest ${formatMs(times[0] ?? 0)})` +
    (rss === undefined ? "" : `, ${formatBytes(rss)} resident after ${values.idle} s idle`),
);

async function firstAnswer(target: URL, proc: Bun.Subprocess, started: number): Promise<number> {
  while (performance.now() - started < 30_000) {
    if (proc.exitCode !== null)
      throw new Error(`${command.join(" ")} exited ${proc.exitCode} before answering`);
    try {
      await fetch(target, { signal: AbortSignal.timeout(500) });
      return performance.now() - started;
    } catch {
      await Bun.sleep(2);
    }
  }
  proc.kill();
  throw new Error(`no answer from ${target.href} within 30 s`);
}

// Linux only: VmRSS counts every thread, workers included.
function residentBytes(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
