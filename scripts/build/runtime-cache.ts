// The Bun runtime a binary for another target is built on. It comes from the npm registry as the
// package @oven/bun-<target>, at exactly the running Bun's version, through npm itself (so npm's
// registry settings, proxy and integrity check apply), and is kept in a cache between builds.
// Bun's own downloader is never asked: the compiler always gets a runtime path.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { hostTarget, type Target } from "./targets.ts";

export interface RuntimeOptions {
  /** Defaults to $COURIER_RUNTIME_CACHE, else $XDG_CACHE_HOME or ~/.cache, + courier/bun-runtimes. */
  cacheDir?: string;
  /** Fail instead of fetching when the runtime is not cached yet. */
  offline?: boolean;
}

export interface Runtime {
  path: string;
  /** Where it came from: "running bun", "cache" or "npm". */
  source: "running bun" | "cache" | "npm";
}

export function defaultCacheDir(): string {
  if (process.env.COURIER_RUNTIME_CACHE) return process.env.COURIER_RUNTIME_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "courier", "bun-runtimes");
}

/**
 * Where a target's runtime lives in the cache.
 * runtimePath("/c", "1.4.5", linux-arm64) → "/c/1.4.5/linux-arm64/bun"
 */
export function runtimePath(cacheDir: string, version: string, target: Target): string {
  return join(cacheDir, version, target.name, basename(target.runtimeFile));
}

/** The runtime for a target at the running Bun's version: the running Bun itself for this host. */
export async function ensureRuntime(target: Target, options: RuntimeOptions = {}): Promise<Runtime> {
  if (target.name === hostTarget().name) return { path: process.execPath, source: "running bun" };
  const path = runtimePath(options.cacheDir ?? defaultCacheDir(), Bun.version, target);
  if (existsSync(path)) return { path, source: "cache" };
  if (options.offline) {
    throw new Error(`the ${target.name} runtime is not cached at ${path}, and fetching is off`);
  }
  await fetchRuntime(target, Bun.version, path);
  return { path, source: "npm" };
}

async function fetchRuntime(target: Target, version: string, dest: string): Promise<void> {
  mkdirSync(dirname(dest), { recursive: true });
  const work = mkdtempSync(join(dirname(dest), ".fetch-"));
  try {
    const spec = `${target.runtimePackage}@${version}`;
    const pack = Bun.spawn(["npm", "pack", spec, "--json", "--ignore-scripts", "--pack-destination", work], {
      cwd: work,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([
      new Response(pack.stdout).text(),
      new Response(pack.stderr).text(),
      pack.exited,
    ]);
    if (code !== 0) throw new Error(`npm pack ${spec} failed (exit ${code}):\n${err.trim()}`);
    const [packed] = JSON.parse(out) as { filename: string; version: string; integrity: string }[];
    if (!packed || packed.version !== version) throw new Error(`npm pack ${spec} gave ${packed?.version}`);

    const archive = new Bun.Archive(await Bun.file(join(work, packed.filename)).bytes());
    await archive.extract(work, { glob: `package/${target.runtimeFile}` });
    const extracted = join(work, "package", target.runtimeFile);
    if (!existsSync(extracted)) throw new Error(`${spec} holds no ${target.runtimeFile}`);
    chmodSync(extracted, 0o755);
    writeFileSync(
      join(dirname(dest), "source.json"),
      `${JSON.stringify({ package: spec, integrity: packed.integrity }, null, 2)}\n`,
    );
    // Last, and atomic: a runtime in the cache is always a whole one.
    renameSync(extracted, dest);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
