// Stopping the sandbox, whichever way it ends (Ctrl-C, SIGTERM, --once done, a failure): Courier
// gets SIGTERM first and is waited for, then the servers, then the temporary directory goes.
// A second Ctrl-C does not cut this short: every step has its own time limit, so it ends anyway.
import { rmSync } from "node:fs";
import type { Children } from "./children.ts";

const GRACE_MS = 8_000;

export interface Shutdown {
  /** Stops everything once and exits with `code`; later calls wait for the first. */
  stop(code: number, why?: string): Promise<never>;
  readonly stopping: boolean;
}

export function createShutdown(children: Children, dir: string, say: (line: string) => void): Shutdown {
  let started: Promise<never> | undefined;
  const removeDir = () => rmSync(dir, { recursive: true, force: true });

  // If the sandbox dies some other way, nothing it started may outlive it.
  process.on("exit", () => {
    children.killAllNow();
    removeDir();
  });

  const shutdown: Shutdown = {
    get stopping() {
      return started !== undefined;
    },
    stop(code, why) {
      started ??= (async () => {
        const what = children.list().length > 0 ? ": Courier, then the servers…" : "…";
        say(`\nStopping${why ? ` (${why})` : ""}${what}`);
        const killed = await children.stopAll(["courier"], GRACE_MS);
        if (killed.length > 0) say(`  had to kill: ${killed.join(", ")}`);
        removeDir();
        say("Stopped. Temporary files removed.");
        process.exit(code);
      })();
      return started;
    },
  };

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (shutdown.stopping) say("  still stopping…");
      else void shutdown.stop(0, signal === "SIGINT" ? "Ctrl-C" : signal);
    });
  }
  return shutdown;
}
