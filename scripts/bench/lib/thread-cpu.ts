// Where a process's CPU time goes, by thread: Linux names each one (/proc/PID/task/TID/comm), so
// Courier's main thread, its sync workers ("Worker"), Bun's HTTP client thread, the JIT's compiler
// threads and the garbage collector's helpers can be told apart. Off Linux: an empty split.

import { readdirSync, readFileSync } from "node:fs";
import { cpuSecondsOfStat } from "./child.ts";

/** CPU seconds so far per thread name; threads of one name (several workers) are summed. */
export type ThreadCpu = Map<string, number>;

export function threadCpu(pid: number): ThreadCpu {
  const split: ThreadCpu = new Map();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return split;
  }
  for (const tid of tids) {
    try {
      const name =
        tid === String(pid) ? "main" : readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const seconds = cpuSecondsOfStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8"));
      split.set(name, (split.get(name) ?? 0) + seconds);
    } catch {
      // The thread ended between the listing and the read: its time is gone with it.
    }
  }
  return split;
}

/** Per thread name, CPU ms per unit of work between two readings; threads under 1% of the total left out. */
export function perUnit(before: ThreadCpu, after: ThreadCpu, units: number): Record<string, number> {
  const spent = [...after].map(([name, seconds]) => [name, seconds - (before.get(name) ?? 0)] as const);
  const total = spent.reduce((sum, [, seconds]) => sum + seconds, 0);
  const split: Record<string, number> = {};
  for (const [name, seconds] of spent.sort((a, b) => b[1] - a[1])) {
    if (seconds > 0.01 * total) split[name] = (seconds * 1000) / units;
  }
  return split;
}
