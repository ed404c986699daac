// One target's part of a release: compile, check the binary really is for that target, archive it,
// and for glibc Linux package it as a .deb too.
import { join } from "node:path";
import { planArchive } from "./archive-files.ts";
import type { BuildInfo } from "./build-info.ts";
import { sha256File } from "./checksums.ts";
import { compileBinary } from "./compile.ts";
import { buildDeb, type DebResult, hasDebianPackage } from "./debian.ts";
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
  /** The Debian package, for the glibc Linux targets. */
  deb?: DebResult & { sha256: string };
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
  const archiveMs = performance.now() - started;
  const deb = hasDebianPackage(target) ? await packageDeb(options, built.path) : undefined;

  return {
    target,
    format: format.description,
    formatOk: format.ok,
    binaryPath: built.path,
    binaryBytes: built.bytes,
    archive,
    archiveBytes,
    sha256,
    deb,
    buildMs: built.ms,
    archiveMs,
    warnings: plan.warnings,
  };
}

async function packageDeb(options: ReleaseTargetOptions, binaryPath: string): Promise<TargetRelease["deb"]> {
  const { root, target, info, outDir } = options;
  const deb = await buildDeb({ root, target, binaryPath, info, outDir });
  return { ...deb, sha256: await sha256File(deb.path) };
}
