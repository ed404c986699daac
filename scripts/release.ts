// `bun run release`: one archive per host, courier_<version>_<os>_<arch>.tar.gz, a Debian package
// per glibc Linux target, courier_<version>_<arch>.deb, and SHA256SUMS over all of them.
//   --targets a,b   only these (default: every target)
//   --out <dir>     where the archives go (default dist/release; emptied first)
//   --offline       use only runtimes already cached; never fetch
//   --keep-binaries keep the bare binaries in <out>/binaries/<target>/
// Each target's Bun runtime comes from npm (see build/runtime-cache.ts); every binary is checked
// with file(1) for its format and architecture, and the sums are checked with sha256sum -c.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { readBuildInfo } from "./build/build-info.ts";
import { sumsText } from "./build/checksums.ts";
import { shortFormat } from "./build/file-check.ts";
import { formatBytes, formatMs, table } from "./build/format.ts";
import { releaseTarget, type TargetRelease } from "./build/release-target.ts";
import { ensureRuntime } from "./build/runtime-cache.ts";
import { findTarget, TARGETS, type Target } from "./build/targets.ts";

const root = join(import.meta.dir, "..");

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    targets: { type: "string" },
    out: { type: "string", default: join(root, "dist", "release") },
    offline: { type: "boolean", default: false },
    "keep-binaries": { type: "boolean", default: false },
  },
});

try {
  process.exitCode = await release(
    pickTargets(values.targets),
    values.out,
    values.offline,
    values["keep-binaries"],
  );
} catch (error) {
  console.error(`release failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

async function release(targets: Target[], outDir: string, offline: boolean, keep: boolean): Promise<number> {
  const started = performance.now();
  const info = readBuildInfo(root);
  console.log(`courier ${info.version} (${info.commit}) on Bun ${Bun.version}: ${targets.length} targets`);

  // Fetched side by side before any build: the downloads overlap, and a missing runtime fails early.
  const runtimes = await Promise.all(targets.map((t) => ensureRuntime(t, { offline })));
  const fetchMs = performance.now() - started;
  for (const [i, r] of runtimes.entries())
    console.log(`  runtime ${targets[i]?.name}: ${r.source} ${r.path}`);

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const stageDir = join(outDir, "binaries");
  const results: TargetRelease[] = [];
  const warned = new Set<string>();
  for (const [i, target] of targets.entries()) {
    const result = await releaseTarget({
      root,
      target,
      runtimePath: runtimes[i]!.path,
      info,
      outDir,
      stageDir,
    });
    for (const warning of result.warnings.filter((w) => !warned.has(w))) {
      console.warn(`  warning: ${warning}`);
      warned.add(warning);
    }
    const packaged = result.deb ? `, packaged as .deb in ${formatMs(result.deb.ms)}` : "";
    console.log(
      `  ${target.name}: built in ${formatMs(result.buildMs)}, archived in ${formatMs(result.archiveMs)}${packaged}`,
    );
    results.push(result);
  }

  writeFileSync(
    join(outDir, "SHA256SUMS"),
    sumsText(
      results.flatMap((r) => [
        { name: basename(r.archive), sha256: r.sha256 },
        ...(r.deb ? [{ name: basename(r.deb.path), sha256: r.deb.sha256 }] : []),
      ]),
    ),
  );
  const sumsOk = verifySums(outDir);
  if (!keep) rmSync(stageDir, { recursive: true, force: true });

  console.log(`\n${summary(results)}\n`);
  for (const r of results) if (r.deb) console.log(`${basename(r.deb.path)}  ${formatBytes(r.deb.bytes)}`);
  console.log(`archives, packages and SHA256SUMS in ${relative(process.cwd(), outDir) || "."}`);
  console.log(
    `runtimes ready in ${formatMs(fetchMs)}; release took ${formatMs(performance.now() - started)}`,
  );
  if (targets.some((t) => t.name === "windows-x64")) {
    console.log("windows-x64: built and format-checked only; it has no systemd unit and was not run here");
  }

  const wrong = results.filter((r) => !r.formatOk);
  for (const r of wrong) console.error(`${r.target.name}: file(1) says "${r.format}", not this target`);
  return wrong.length === 0 && sumsOk ? 0 : 1;
}

function pickTargets(list: string | undefined): Target[] {
  if (!list) return [...TARGETS];
  return list.split(",").map((name) => {
    const target = findTarget(name.trim());
    if (!target) throw new Error(`unknown target ${name}; one of: ${TARGETS.map((t) => t.name).join(", ")}`);
    return target;
  });
}

function summary(results: readonly TargetRelease[]): string {
  return table(
    ["target", "file(1)", "binary", "archive", "archive sha256"],
    results.map((r) => [
      r.target.name,
      `${r.formatOk ? "ok" : "WRONG"}: ${shortFormat(r.format)}`,
      formatBytes(r.binaryBytes),
      formatBytes(r.archiveBytes),
      r.sha256,
    ]),
  );
}

// The same check a user runs after downloading: sha256sum, or shasum where that is what there is.
function verifySums(dir: string): boolean {
  const tools = [
    ["sha256sum", "-c", "SHA256SUMS"],
    ["shasum", "-a", "256", "-c", "SHA256SUMS"],
  ];
  for (const command of tools) {
    if (!Bun.which(command[0]!)) continue;
    const run = Bun.spawnSync(command, { cwd: dir, stdout: "pipe", stderr: "pipe" });
    const output = `${run.stdout.toString()}${run.stderr.toString()}`.trim();
    console.log(`\n${command.join(" ")}\n${output}`);
    return run.exitCode === 0;
  }
  console.warn("warning: neither sha256sum nor shasum is installed; SHA256SUMS was not checked");
  return true;
}
