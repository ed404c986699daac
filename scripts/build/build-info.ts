// What a build stamps into the binary: the version from package.json, the commit it was built from,
// and the target. Courier reads them as the globals COURIER_VERSION, COURIER_COMMIT, COURIER_TARGET.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface BuildInfo {
  version: string;
  /** Short commit hash, or "unknown" outside a git checkout. */
  commit: string;
  /** Commit time in seconds since the epoch (0 when unknown): the archives' fixed mtime. */
  commitTime: number;
}

export function readBuildInfo(root: string): BuildInfo {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") throw new Error(`${join(root, "package.json")} has no version`);
  const commit = git(root, ["rev-parse", "--short", "HEAD"]) ?? "unknown";
  const commitTime = Number(git(root, ["log", "-1", "--format=%ct"]) ?? 0) || 0;
  return { version: pkg.version, commit, commitTime };
}

/**
 * The bundler's `define` table for one build.
 * buildDefines({version:"0.1.0",commit:"a1b2c3d"}, "linux-x64")
 *   → { COURIER_VERSION: '"0.1.0"', COURIER_COMMIT: '"a1b2c3d"', COURIER_TARGET: '"linux-x64"', … }
 */
export function buildDefines(
  info: Pick<BuildInfo, "version" | "commit">,
  target: string,
): Record<string, string> {
  return {
    // Frozen at build time in a compiled binary anyway; saying so lets the minifier drop dev-only code.
    "process.env.NODE_ENV": JSON.stringify("production"),
    COURIER_VERSION: JSON.stringify(info.version),
    COURIER_COMMIT: JSON.stringify(info.commit),
    COURIER_TARGET: JSON.stringify(target),
  };
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    const run = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "ignore" });
    const out = run.stdout.toString().trim();
    return run.exitCode === 0 && out ? out : undefined;
  } catch {
    return undefined; // no git on this machine
  }
}
