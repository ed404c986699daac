// `bun scripts/monitoring/ensure-promtool.ts`: prints the path of a `promtool` to check the alert
// rules with, getting one if needed:
//   1. `promtool` on PATH, whatever its version;
//   2. the cached copy at ~/.cache/courier/promtool/<module version>/promtool ($XDG_CACHE_HOME honoured);
//   3. else taken from Debian's `prometheus` package, fetched with `apt-get download` (nothing is
//      installed) and unpacked with `dpkg-deb -x`: about a second where apt can reach Debian;
//   4. else built from the Go module proxy with `go install …/cmd/promtool@<module version>`
//      (needs `go`; fetches ~1.8 GB of modules and takes many minutes once).
// Whatever it finds is checked with `promtool --version` and then cached.
// Progress goes to stderr, the path alone to stdout. Exits 1 with a plain reason when it cannot.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** Prometheus 3.x publishes its Go module as v0.3xx.y: v0.316.0 is Prometheus 3.16.0. */
export const PROMTOOL_MODULE_VERSION = "v0.316.0";
const PACKAGE = "github.com/prometheus/prometheus/cmd/promtool";
const BUILD_TIMEOUT_MS = 20 * 60_000;

export type PromtoolResult =
  | { ok: true; path: string; source: "PATH" | "cache" | "Debian package" | "go install" }
  | { ok: false; reason: string };

export interface EnsureOptions {
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /** Build one when none is on PATH or cached (default true); tests only look. */
  build?: boolean;
}

export async function ensurePromtool(opts: EnsureOptions = {}): Promise<PromtoolResult> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const onPath = Bun.which("promtool", { PATH: env.PATH ?? "" });
  if (onPath && answers(onPath)) return { ok: true, path: onPath, source: "PATH" };
  const cached = promtoolCachePath(env, PROMTOOL_MODULE_VERSION);
  const fromDebianCache = promtoolCachePath(env, "debian");
  for (const path of [cached, fromDebianCache]) {
    if (existsSync(path) && answers(path)) return { ok: true, path, source: "cache" };
  }

  if (opts.build === false) {
    return { ok: false, reason: "no promtool on PATH or in the cache (bun run promtool builds one with go)" };
  }
  const debian = await fromDebianPackage(env, fromDebianCache, log);
  if (debian) return { ok: true, path: debian, source: "Debian package" };
  const go = Bun.which("go", { PATH: env.PATH ?? "" });
  if (!go) return { ok: false, reason: "no promtool on PATH or in the cache, and no `go` to build one" };
  log(`building ${PACKAGE}@${PROMTOOL_MODULE_VERSION} from the Go module proxy (a few minutes, once)…`);
  mkdirSync(dirname(cached), { recursive: true });
  // GOBIN beside the final name, renamed in: a half-built file is never taken as cached.
  const work = mkdtempSync(join(dirname(cached), ".build-"));
  try {
    const build = Bun.spawn([go, "install", `${PACKAGE}@${PROMTOOL_MODULE_VERSION}`], {
      env: { ...env, GOBIN: work, GOFLAGS: "-mod=mod", CGO_ENABLED: "0" },
      stdout: "pipe",
      stderr: "pipe",
      timeout: BUILD_TIMEOUT_MS,
    });
    const [code, stderr] = await Promise.all([build.exited, new Response(build.stderr).text()]);
    const built = join(work, "promtool");
    if (code !== 0 || !existsSync(built)) {
      const tail = stderr.trim().split("\n").slice(-5).join("\n");
      return { ok: false, reason: `go install ${PACKAGE}@${PROMTOOL_MODULE_VERSION} failed: ${tail}` };
    }
    if (!answers(built)) return { ok: false, reason: "the promtool built did not answer --version" };
    renameSync(built, cached);
    return { ok: true, path: cached, source: "go install" };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * promtool out of Debian's `prometheus` package, cached at `target`; undefined when apt-get or
 * dpkg-deb is missing or the package cannot be had. As root, a failed download is tried once more
 * after `apt-get update` (a new machine may have no package lists yet).
 */
async function fromDebianPackage(
  env: Record<string, string | undefined>,
  target: string,
  log: (line: string) => void,
): Promise<string | undefined> {
  const PATH = env.PATH ?? "";
  const apt = Bun.which("apt-get", { PATH });
  const dpkgDeb = Bun.which("dpkg-deb", { PATH });
  if (!apt || !dpkgDeb) return undefined;
  mkdirSync(dirname(target), { recursive: true });
  const work = mkdtempSync(join(dirname(target), ".debian-"));
  const run = (cmd: string[]) =>
    Bun.spawnSync(cmd, { cwd: work, env: { ...env }, stdout: "pipe", stderr: "pipe", timeout: 5 * 60_000 });
  try {
    log("fetching promtool from Debian's prometheus package…");
    let download = run([apt, "download", "prometheus"]);
    if (download.exitCode !== 0 && process.getuid?.() === 0) {
      run([apt, "update", "-qq"]);
      download = run([apt, "download", "prometheus"]);
    }
    const deb = readdirSync(work).find((name) => name.endsWith(".deb"));
    if (download.exitCode !== 0 || !deb) return undefined;
    if (run([dpkgDeb, "-x", deb, "root"]).exitCode !== 0) return undefined;
    const unpacked = join(work, "root", "usr", "bin", "promtool");
    if (!existsSync(unpacked) || !answers(unpacked)) return undefined;
    renameSync(unpacked, target);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** ~/.cache/courier/promtool/v0.316.0/promtool, or under $XDG_CACHE_HOME when it is set. */
export function promtoolCachePath(env: Record<string, string | undefined>, version: string): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache");
  return join(base, "courier", "promtool", version, "promtool");
}

function answers(promtool: string): boolean {
  try {
    const out = Bun.spawnSync([promtool, "--version"], { stdout: "pipe", stderr: "pipe", timeout: 30_000 });
    return out.exitCode === 0 && /promtool/i.test(`${out.stdout}${out.stderr}`);
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const result = await ensurePromtool({ log: (line) => console.error(line) });
  if (!result.ok) {
    console.error(`cannot get promtool: ${result.reason}`);
    process.exit(1);
  }
  console.error(`promtool (from ${result.source})`);
  console.log(result.path);
}

if (import.meta.main) await main();
