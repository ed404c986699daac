// Figure 2, UDP without loss: the highest steady rate of 2 KB audit entries Courier takes for 10 s
// (--quick: 2 s) with nothing dropped, in the default configuration (8 MiB receive buffer). A
// sender process paces datagrams at each rate in turn; loss is the kernel's drop counter for the
// port (/proc/net/udp), the only place UDP loss shows. The ceiling is the same steps against the
// simplest reader that still parses every entry (scripts/bench/lib/udp-sink.ts).
//   bun scripts/bench/udp-loss.ts [--quick]

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnChild } from "./lib/child.ts";
import { freeUdpPort, startCourier } from "./lib/courier.ts";
import { startDoubles, stopAll } from "./lib/double.ts";
import { paddedWrite } from "./lib/lines.ts";
import { runAlone } from "./lib/run-alone.ts";
import { round } from "./lib/stats.ts";
import type { Benchmark, BenchOptions, BenchReport, Figure } from "./lib/types.ts";
import { udpPortStats, waitDrained } from "./lib/udp-stats.ts";

export const benchmark: Benchmark = {
  name: "udp-loss",
  title: "UDP without loss: highest steady rate of 2 KB entries, default configuration",
  run,
};

const GOAL = 50_000;

export interface Step {
  /** Datagrams per second asked of the sender, and what it managed. */
  target: number;
  achieved: number;
  sent: number;
  drops: number;
  /** The reader emptied its queue within 3 s of the sender stopping. */
  drained: boolean;
}

async function run(options: BenchOptions): Promise<BenchReport> {
  const seconds = options.quick ? 2 : 10;
  const rates = options.quick
    ? [50_000, 100_000]
    : [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 80_000, 100_000, 130_000];
  const dir = mkdtempSync(join(tmpdir(), "courier-bench-udp-"));
  const file = join(dir, "entries.jsonl");
  // 500 KV v2 writes to 500 keys of secret/, request and response entry each, about 2 KB apiece.
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) {
    const { request, response } = paddedWrite(`load/key-${i}`, 2048, i);
    lines.push(request, response);
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  const doubles = await startDoubles(3);
  try {
    const [source, east, west] = doubles as [(typeof doubles)[0], (typeof doubles)[0], (typeof doubles)[0]];
    const port = await freeUdpPort();
    const courier = await startCourier({
      source,
      destinations: [east, west],
      auditAddress: `udp://127.0.0.1:${port}`,
    });
    let courierSteps: Step[];
    try {
      courierSteps = await stepUp(port, rates, seconds, file, (m) => options.log(`courier: ${m}`));
    } finally {
      await courier.stop();
    }
    const sink = spawnChild([process.execPath, "scripts/bench/lib/udp-sink.ts"]);
    let sinkSteps: Step[];
    try {
      const { match } = await sink.waitFor(/\{"port":(\d+)/);
      sinkSteps = await stepUp(Number(match[1]), rates, seconds, file, (m) =>
        options.log(`bare reader: ${m}`),
      );
    } finally {
      await sink.stop();
    }
    const best = highestClean(courierSteps);
    const ceiling = highestClean(sinkSteps);
    const top = rates[rates.length - 1]!;
    const figure: Figure = {
      name: `highest zero-loss rate for ${seconds} s`,
      value: best,
      unit: "entries/s",
      ceiling,
      ceilingName: "bare reader (8 MiB buffer + JSON.parse)",
      ratio: ceiling > 0 ? round(best / ceiling, 2) : undefined,
      goal: `≥ ${GOAL.toLocaleString("en-US")} entries/s`,
      met: best >= GOAL,
      ...(best === top
        ? { note: `no loss at the highest rate tried (${top.toLocaleString("en-US")}/s)` }
        : {}),
    };
    return {
      figures: [figure],
      notes: [
        `Entries of ${Math.round(lines.reduce((n, l) => n + l.length + 1, 0) / lines.length)} bytes (request and response entries of KV v2 writes to 500 keys of secret/), at ${rates.map((r) => `${r / 1000}k`).join(", ")} per second, ${seconds} s each, stopping at the first rate with loss.`,
        "Courier runs as dist/courier with the default configuration (only the addresses given), syncing what the entries name against Vault doubles as it would in production (audit.max_rate 2000/s applies).",
        "A step counts when the kernel dropped nothing, the sender kept within 3% of the rate, and the reader emptied its queue within 3 s of the sender stopping.",
      ],
      rounds: { courier: courierSteps, bareReader: sinkSteps },
    };
  } finally {
    await stopAll(doubles);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** highestClean([{target:10000, drops:0, …}, {target:20000, drops:5, …}]) → 10000 */
export function highestClean(steps: readonly Step[]): number {
  let best = 0;
  for (const step of steps) {
    if (step.drops > 0 || !step.drained || step.achieved < step.target * 0.97) break;
    best = step.target;
  }
  return best;
}

async function stepUp(
  port: number,
  rates: readonly number[],
  seconds: number,
  file: string,
  log: (message: string) => void,
): Promise<Step[]> {
  const steps: Step[] = [];
  // One second at a gentle rate first, not counted: a reader just started has cold code paths.
  await sendAt(port, 10_000, 1, file);
  for (const target of rates) {
    await waitDrained(port, 3_000);
    const before = udpPortStats(port).drops;
    const report = await sendAt(port, target, seconds, file);
    const drained = await waitDrained(port, 3_000);
    const step = {
      target,
      achieved: report.rate,
      sent: report.sent,
      drops: udpPortStats(port).drops - before,
      drained,
    };
    steps.push(step);
    log(
      `${target}/s asked, ${step.achieved}/s sent, ${step.drops} dropped${drained ? "" : ", queue not drained"}`,
    );
    if (highestClean(steps) !== target) break;
  }
  return steps;
}

/** Runs the sender process at `rate` datagrams/s for `seconds`; answers what it reports. */
async function sendAt(
  port: number,
  rate: number,
  seconds: number,
  file: string,
): Promise<{ sent: number; rate: number }> {
  const sender = spawnChild([
    process.execPath,
    "scripts/bench/lib/send-lines.ts",
    "--transport=udp",
    `--port=${port}`,
    `--file=${file}`,
    `--rate=${rate}`,
    `--seconds=${seconds}`,
  ]);
  const code = await sender.proc.exited;
  if (code !== 0) throw new Error(`sender failed: ${sender.stderr()}`);
  return JSON.parse(sender.stdout().trim().split("\n").at(-1) ?? "{}") as { sent: number; rate: number };
}

if (import.meta.main) await runAlone(benchmark);
