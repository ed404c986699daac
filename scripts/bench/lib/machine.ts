// The machine a run came from, written beside its figures.

import { cpus, loadavg, release, totalmem } from "node:os";
import { readBuildInfo } from "../../build/build-info.ts";
import { ROOT } from "./child.ts";

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  bun: string;
  /** 1-minute load average when the run started: other work on the machine skews figures. */
  load1: number;
  courier: { version: string; commit: string };
  date: string;
}

export function describeMachine(): Machine {
  const info = readBuildInfo(ROOT);
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    bun: Bun.version,
    load1: Math.round(loadavg()[0]! * 100) / 100,
    courier: { version: info.version, commit: info.commit },
    date: new Date().toISOString(),
  };
}
