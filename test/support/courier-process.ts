// Courier as a user runs it: a real process (`bun src/main.ts run …`, or the compiled binary),
// logging JSON lines to stderr, which are collected as they arrive so tests can wait for a line
// and read what was logged.

import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

const ROOT = join(import.meta.dir, "..", "..");
const MAIN = join(ROOT, "src", "main.ts");

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
  const child = Bun.spawn([...command, "run", "--log.format=json", "--log.level=debug", ...flags], {
    // The binary runs from elsewhere, as on a host that has no source tree.
    cwd: options.binary ? tmpdir() : ROOT,
    // A clean environment: the machine's own VAULT_* and COURIER_* variables must not leak in.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  const records: LogRecord[] = [];
  let partial = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      const piece = decoder.decode(chunk, { stream: true });
      text += piece;
      const lines = (partial + piece).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("{")) records.push(JSON.parse(line) as LogRecord);
      }
    }
  })();

  return {
    child,
    logs: () => records,
    stderr: () => text,
    waitForLog(msg, match = () => true, timeoutMs = 10_000) {
      return this.waitFor((r) => r.msg === msg && match(r), `"${msg}"`, timeoutMs);
    },
    async waitFor(match, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = records.find(match);
        if (found) return found;
        if (child.exitCode !== null) {
          throw new Error(`courier exited ${child.exitCode} before logging ${what}:\n${text}`);
        }
        if (Date.now() > deadline) throw new Error(`courier never logged ${what}:\n${text}`);
        await Bun.sleep(10);
      }
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      const code = await child.exited;
      await reading;
      return code;
    },
  };
}
