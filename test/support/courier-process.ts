// Courier as a user runs it: a real process (`bun src/main.ts …`, or the compiled binary), with a
// clean environment so the machine's own VAULT_* and COURIER_* variables cannot leak into a test.
// Either run to the end (what it printed, its exit code), or left running with stderr collected
// as it arrives, so tests can wait for a line and read what was logged.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { type Finished, ROOT, runToEnd, startWatched, type Watched } from "./process.ts";

export { type Finished, ROOT } from "./process.ts";
export const MAIN = join(ROOT, "src", "main.ts");

/**
 * PATH and HOME from this process, NO_COLOR, a state directory of its own (what one run
 * remembers never reaches another's; a test that restarts Courier passes the same one in
 * `extra` or as --state.dir), and `extra`: nothing else.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NO_COLOR: "1",
    STATE_DIRECTORY: freshStateDir(),
    ...extra,
  };
}

/** A new, empty directory under the system's temp dir. */
export function freshStateDir(): string {
  return mkdtempSync(join(tmpdir(), "courier-state-"));
}

/** courier(["version"]) → {code: 0, stdout: "courier …\n", stderr: ""}; `stdin` is piped in when given. */
export function courier(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Finished> {
  return runToEnd([process.execPath, MAIN, ...args], { cwd: ROOT, env: cleanEnv(env), stdin });
}

/** `script` (src/main.ts, or a fixture standing in for it) left running, its stderr watched. */
export function start(
  script: string,
  args: string[],
  env: Record<string, string>,
): Watched & { stderr(): string } {
  const run = startWatched([process.execPath, script, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    watch: "stderr",
  });
  return { ...run, stderr: run.output };
}

export interface LogRecord {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface CourierProcess {
  readonly child: Subprocess<"ignore", "pipe", "pipe">;
  /** Every JSON log line so far, parsed. */
  logs(): LogRecord[];
  /** stderr so far, as printed. */
  stderr(): string;
  /** Waits for a log line whose msg is `msg` (and which `match` accepts), or fails after `timeoutMs`. */
  waitForLog(msg: string, match?: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** Waits for a log line `match` accepts; `what` names it in the error. */
  waitFor(match: (record: LogRecord) => boolean, what: string, timeoutMs?: number): Promise<LogRecord>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export interface SpawnOptions {
  /** The compiled courier; default: `bun src/main.ts`. */
  binary?: string;
  env?: Record<string, string>;
}

/** spawnCourier(["--vault.source.address=…", …]) → `courier run --log.format=json --log.level=debug …` */
export function spawnCourier(flags: string[], options: SpawnOptions = {}): CourierProcess {
  const command = options.binary ? [options.binary] : [process.execPath, MAIN];
  const records: LogRecord[] = [];
  const run = startWatched([...command, "run", "--log.format=json", "--log.level=debug", ...flags], {
    // The binary runs from elsewhere, as on a host that has no source tree.
    cwd: options.binary ? tmpdir() : ROOT,
    env: cleanEnv(options.env),
    watch: "stderr",
    onLine: (line) => {
      if (line.startsWith("{")) records.push(JSON.parse(line) as LogRecord);
    },
  });
  const { child } = run;

  return {
    child,
    logs: () => records,
    stderr: run.output,
    waitForLog(msg, match = () => true, timeoutMs = 10_000) {
      return this.waitFor((r) => r.msg === msg && match(r), `"${msg}"`, timeoutMs);
    },
    async waitFor(match, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = records.find(match);
        if (found) return found;
        if (child.exitCode !== null) {
          throw new Error(`courier exited ${child.exitCode} before logging ${what}:\n${run.output()}`);
        }
        if (Date.now() > deadline) throw new Error(`courier never logged ${what}:\n${run.output()}`);
        await Bun.sleep(10);
      }
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return run.finished();
    },
  };
}
