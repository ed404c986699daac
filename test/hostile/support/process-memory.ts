// What a process holds in memory, as the kernel reports it: for watching Courier from outside.
import { readFileSync } from "node:fs";

/** Resident memory of a process now, MiB: rssMb(child.pid) → 71.2 */
export function rssMb(pid: number): number {
  return statusField(pid, "VmRSS");
}

/** The most resident memory the process ever held, MiB. */
export function peakRssMb(pid: number): number {
  return statusField(pid, "VmHWM");
}

function statusField(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Math.round((Number(match[1]) / 1024) * 10) / 10;
}
