// Programs run by tests as real processes: either to the end, collecting what they printed, or
// left running with one of their outputs collected as it arrives, so a test can wait for a line.

import { join } from "node:path";
import type { Subprocess } from "bun";

/** The repository's root. */
export const ROOT = join(import.meta.dir, "..", "..");

export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The whole environment: nothing of this process's own is passed on unless it is given here. */
  env: Record<string, string>;
  cwd?: string;
  /** Written to the program's stdin, which is then closed. */
  stdin?: string;
}

/** runToEnd(["bun", "src/main.ts", "version"], {env}) → {code: 0, stdout: "courier 1.2.3\n", stderr: ""} */
export async function runToEnd(command: string[], options: RunOptions): Promise<Finished> {
  const child = Bun.spawn(command, {
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

export interface WatchOptions extends Omit<RunOptions, "stdin"> {
  /** The output collected as it arrives; the other one stays unread until the test reads it. */
  watch: "stdout" | "stderr";
  /** Called with each whole line of the watched output. */
  onLine?: (line: string) => void;
}

export interface Watched {
  readonly child: Subprocess<"ignore", "pipe", "pipe">;
  /** The watched output so far. */
  output(): string;
  /** Waits until the watched output holds `pattern`; fails when the program exits first or after `ms`. */
  waitFor(pattern: string | RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** Waits for the exit and the last of the watched output; the exit code. */
  finished(): Promise<number>;
}

/** startWatched(["bun", "scripts/sandbox.ts"], {env, watch: "stdout"}) → the running sandbox */
export function startWatched(command: string[], options: WatchOptions): Watched {
  const child = Bun.spawn(command, {
    cwd: options.cwd,
    env: options.env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let text = "";
  let partial = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child[options.watch]) {
      const piece = decoder.decode(chunk, { stream: true });
      text += piece;
      if (options.onLine === undefined) continue;
      const lines = (partial + piece).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) options.onLine(line);
    }
  })();

  return {
    child,
    output: () => text,
    async waitFor(pattern, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = typeof pattern === "string" ? textMatch(text, pattern) : text.match(pattern);
        if (match) return match;
        if (child.exitCode !== null)
          throw new Error(`exited ${child.exitCode} before printing ${pattern}:\n${text}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; it printed:\n${text}`);
        await Bun.sleep(10);
      }
    },
    async finished() {
      const code = await child.exited;
      await reading;
      return code;
    },
  };
}

/** textMatch("a b c", "b") → ["b"], as "a b c".match(/b/) would; null when it is not there */
function textMatch(text: string, wanted: string): RegExpMatchArray | null {
  return text.includes(wanted) ? ([wanted] as RegExpMatchArray) : null;
}
