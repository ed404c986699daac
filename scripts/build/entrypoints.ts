// Which files go into the binary as entrypoints: the CLI entry and every worker entry. A Worker only
// runs inside a compiled binary when its file was given to the compiler as an entrypoint.
import { existsSync } from "node:fs";
import { basename, join } from "node:path";

export const MAIN_ENTRY = "src/main.ts";
export const WORKER_GLOB = "src/**/*.worker.ts";

/** Absolute paths: the entry first, then the workers in a stable order. */
export function findEntrypoints(root: string, entry = MAIN_ENTRY, workerGlob = WORKER_GLOB): string[] {
  const main = join(root, entry);
  if (!existsSync(main)) throw new Error(`no entrypoint at ${main}`);
  const workers = [...new Bun.Glob(workerGlob).scanSync({ cwd: root })].sort();
  assertUniqueNames(workers);
  return [main, ...workers.map((w) => join(root, w))];
}

/**
 * The binary lays every worker flat beside the entry, so two workers may not share a file name.
 * assertUniqueNames(["src/a/x.worker.ts", "src/b/x.worker.ts"]) → throws, naming both
 */
export function assertUniqueNames(workers: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const worker of workers) {
    const name = basename(worker);
    const other = seen.get(name);
    if (other) throw new Error(`two worker entries share the name ${name}: ${other} and ${worker}`);
    seen.set(name, worker);
  }
}
