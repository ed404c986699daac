// One target's part of a release: compile, check the binary really is for that target, archive it.
import { join } from "node:path";
import { planArchive } from "./archive-files.ts";
import type { BuildInfo } from "./build-info.ts";
import { sha256File } from "./checksums.ts";
import { compileBinary } from "./compile.ts";
import { checkBinaryFormat } from "./file-check.ts";
import { writeTarGz } from "./tarball.ts";
import { archiveName, type Target } from "./targets.ts";

export interface TargetRelease {
  target: Target;
  /** What file(1) says about the binary, and whether that is the target's format and architecture. */
  format: string;
  formatOk: boolean;
  binaryPath: string;
  binaryBytes: number;
  archive: string;
  archiveBytes: number;
  sha256: string;
  buildMs: number;
  archiveMs: number;
  warnings: string[];
}

export interface ReleaseTargetOptions {
  root: string;
  target: Target;
  runtimePath: string;
  info: BuildInfo;
  outDir: string;
  /** Where the bare binaries are built before they are archived. */
  stageDir: string;
}

export async function releaseTarget(options: ReleaseTargetOptions): Promise<TargetRelease> {
  const { root, target, info, outDir } = options;
  const built = await compileBinary({
    root,
    target,
    executablePath: options.runtimePath,
    outfile: join(options.stageDir, target.name, target.binary),
    info,
  });
  const format = checkBinaryFormat(built.path, target);

  const started = performance.now();
  const plan = planArchive(root, target, built.path);
  const archive = join(outDir, archiveName(info.version, target));
  const archiveBytes = await writeTarGz(archive, plan.entries, info.commitTime);
  const sha256 = await sha256File(archive);

  return {
    target,
    format: format.description,
    formatOk: format.ok,
    binaryPath: built.path,
    binaryBytes: built.bytes,
    archive,
    archiveBytes,
    sha256,
    buildMs: built.ms,
    archiveMs: performance.now() - started,
    warnings: plan.warnings,
  };
}
