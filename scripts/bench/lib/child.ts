// Child processes for benchmarks: the Vault doubles, Courier, senders. Each runs in its own
// process so that its work never shares the benchmark's event loop. Output is collected as it
// arrives, and a child is always ended by its own pid.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = new URL("../../../", import.meta.url).pathname;

export interface Child {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout/stderr text matching `pattern` (and the ms since spawn). */
  waitFor(pattern: RegExp, ms?: number): Promise<{ match: RegExpExecArray; ms: number }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number>;
}

export function spawnChild(cmd: string[], env: Record<string, string> = {}): Child {
  const started = performance.now();
  const proc = Bun.spawn(cmd, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NO_COLOR: "1",
      // A state directory of its own: one run's record of managed keys never shapes another's.
      STATE_DIRECTORY: mkdtempSync(join(tmpdir(), "courier-bench-state-")),
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = { stdout: "", stderr: "" };
  const listeners = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>, into: "stdout" | "stderr") => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      out[into] += decoder.decode(chunk, { stream: true });
      // Keep memory bounded for chatty children: the head holds the start-up lines.
      if (out[into].length > 4_000_000) out[into] = out[into].slice(0, 1_000_000);
      for (const listener of listeners) listener();
    }
  };
  void pump(proc.stdout, "stdout");
  void pump(proc.stderr, "stderr");

  return {
    proc,
    pid: proc.pid,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    waitFor(pattern, ms = 15_000) {
      return new Promise((resolve, reject) => {
        let finished = false;
        const finish = (settle: () => void) => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        const check = () => {
          const match = pattern.exec(out.stdout) ?? pattern.exec(out.stderr);
          if (match) finish(() => resolve({ match, ms: performance.now() - started }));
        };
        const fail = (why: string) => () =>
          reject(new Error(`${cmd.join(" ")}: ${why}\n${tail(out.stderr)}`));
        const timer = setTimeout(() => finish(fail(`no ${pattern} within ${ms} ms`)), ms);
        void proc.exited.then((code) => {
          check();
          finish(fail(`exited ${code} before ${pattern}`));
        });
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 3_000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
        await proc.exited;
        clearTimeout(timer);
      }
      return proc.exitCode ?? -1;
    },
  };
}

/** A process's resident memory in bytes, from /proc/<pid>/status (VmRSS); undefined if gone. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await Bun.file(`/proc/${pid}/status`).text();
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function tail(text: string): string {
  return text.split("\n").slice(-15).join("\n");
}

/** CPU time a process has used so far (user + system), in seconds, from /proc/<pid>/stat. */
export async function cpuSeconds(pid: number): Promise<number> {
  return cpuSecondsOfStat(await Bun.file(`/proc/${pid}/stat`).text());
}

/** User + system seconds from the text of a /proc stat file (a process's or one thread's). */
export function cpuSecondsOfStat(stat: string): number {
  // Fields after the command name (which may hold spaces) start after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
