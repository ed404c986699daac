// One `bun build --compile` of Courier for one target, written atomically to its outfile.
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { type BuildInfo, buildDefines } from "./build-info.ts";
import { findEntrypoints } from "./entrypoints.ts";
import { leaveOut } from "./left-out.ts";
import type { Target } from "./targets.ts";

export interface CompileOptions {
  /** The project folder: entry and workers are found under it. */
  root: string;
  target: Target;
  /**
   * The Bun runtime to embed, already on disk. Required so the compiler never fetches one itself:
   * the running Bun for the host, a runtime from the npm cache for any other target.
   */
  executablePath: string;
  outfile: string;
  info: BuildInfo;
  entry?: string;
  workerGlob?: string;
  /** Defaults on; off only to measure what each costs or saves. */
  bytecode?: boolean;
  minify?: boolean;
  sourcemap?: boolean;
}

export interface CompileResult {
  path: string;
  bytes: number;
  ms: number;
  /** Worker entries built in, relative to the project folder. */
  workers: string[];
}

export async function compileBinary(options: CompileOptions): Promise<CompileResult> {
  const started = performance.now();
  const entrypoints = findEntrypoints(options.root, options.entry, options.workerGlob);
  const outfile = resolve(options.root, options.outfile);
  mkdirSync(dirname(outfile), { recursive: true });
  // Build beside the outfile under its final name (the name is baked into the binary's paths), then
  // rename: a test or a service running the previous binary never sees a half-written file.
  const staging = mkdtempSync(join(dirname(outfile), ".build-"));
  try {
    const staged = join(staging, basename(outfile));
    await runBuild(options, entrypoints, staged);
    renameSync(staged, outfile);
  } finally {
    rmSync(staging, { recursive: true, force: true }); // the sourcemaps are embedded; the copies go
  }
  return {
    path: outfile,
    bytes: statSync(outfile).size,
    ms: performance.now() - started,
    workers: entrypoints.slice(1).map((w) => relative(options.root, w)),
  };
}

async function runBuild(options: CompileOptions, entrypoints: string[], outfile: string): Promise<void> {
  const bytecode = options.bytecode ?? true;
  let result: Bun.BuildOutput;
  try {
    result = await Bun.build({
      entrypoints,
      compile: {
        target: options.target.bunTarget,
        executablePath: options.executablePath,
        outfile,
        // The binary reads its configuration from its own flags, env and file only.
        autoloadDotenv: false,
        autoloadBunfig: false,
        autoloadTsconfig: false,
        autoloadPackageJson: false,
      },
      // ESM, said out loud: with --bytecode the default is CommonJS, whose import.meta.url is the
      // source path on the build machine, so a worker would load from a source tree that a
      // deployed host does not have.
      format: "esm",
      bytecode,
      minify: options.minify ?? true,
      // Embedded (compressed) so a crash names src/… lines; the .map files beside it are dropped.
      sourcemap: (options.sourcemap ?? true) ? "linked" : "none",
      // Workers sit flat beside the entry, where `new URL("./x.worker.ts", import.meta.url)` from
      // the module next to the worker resolves once bundled (import.meta.url is then the entry's).
      naming: { entry: "[name].[ext]" },
      define: buildDefines(options.info, options.target.name),
      plugins: [leaveOut],
      throw: false,
    });
  } catch (error) {
    throw new Error(`build for ${options.target.name} failed: ${String(error)}`);
  }
  if (!result.success) {
    const messages = result.logs.map((log) => String(log)).join("\n");
    throw new Error(`build for ${options.target.name} failed:\n${messages}`);
  }
}
