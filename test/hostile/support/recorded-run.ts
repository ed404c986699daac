// Courier run as a process with every byte it writes kept — stdout and stderr both — so a test
// can search all of it afterwards. Logs are JSON lines on stderr; waitFor polls them.
import type { Subprocess } from "bun";
import { cleanEnv, MAIN, ROOT } from "../../support/courier-process.ts";

export interface RecordedRun {
  readonly child: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything written so far, stdout then stderr. */
  output(): string;
  /** JSON log lines so far. */
  // biome-ignore lint/suspicious/noExplicitAny: log records, read by field
  logs(): any[];
  // biome-ignore lint/suspicious/noExplicitAny: log records, read by field
  waitFor(match: (record: any) => boolean, what: string, timeoutMs?: number): Promise<any>;
  /** SIGTERM (or `signal`), then the exit code once all output is read. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** recordRun(["run", "--config=…"]) → a running `bun src/main.ts run --config=…`. */
export function recordRun(args: string[], env: Record<string, string> = {}): RecordedRun {
  const child = Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let stdout = "";
  let stderr = "";
  const collect = async (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
  };
  const reading = Promise.all([
    collect(child.stdout, (t) => (stdout += t)),
    collect(child.stderr, (t) => (stderr += t)),
  ]);
  const logs = () =>
    stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line));
  return {
    child,
    output: () => stdout + stderr,
    logs,
    async waitFor(match, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs().find(match);
        if (found) return found;
        if (child.exitCode !== null)
          throw new Error(`courier exited ${child.exitCode} before ${what}:\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`courier never logged ${what}:\n${stderr}`);
        await Bun.sleep(20);
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
