// The hosts Courier ships for: how Bun names each one, which npm package carries its runtime, how
// the release archive names it, and what `file` must say about a binary built for it.
import { closeSync, openSync, readSync } from "node:fs";

export type TargetName =
  | "linux-x64"
  | "linux-arm64"
  | "linux-x64-musl"
  | "linux-arm64-musl"
  | "darwin-x64"
  | "darwin-arm64"
  | "windows-x64";

export interface Target {
  name: TargetName;
  /** What `bun build --compile --target` takes. */
  bunTarget: Bun.Build.CompileTarget;
  /** The npm package that holds this target's Bun runtime (npm says aarch64 where Bun says arm64). */
  runtimePackage: string;
  /** The runtime's path inside that package. */
  runtimeFile: string;
  /** Archive name parts, in the Go and Vault release spelling: courier_0.1.0_linux_amd64.tar.gz. */
  os: string;
  arch: string;
  /** The executable's name inside the archive. */
  binary: string;
  /** What `file -b` prints for a binary that really is for this target. */
  fileSignature: RegExp;
  /** Windows has no systemd; its archive leaves the unit out. */
  systemd: boolean;
}

const target = (
  name: TargetName,
  npmSuffix: string,
  os: string,
  arch: string,
  fileSignature: RegExp,
): Target => {
  const windows = name.startsWith("windows");
  return {
    name,
    bunTarget: `bun-${name}` as Bun.Build.CompileTarget,
    runtimePackage: `@oven/bun-${npmSuffix}`,
    runtimeFile: windows ? "bin/bun.exe" : "bin/bun",
    os,
    arch,
    binary: windows ? "courier.exe" : "courier",
    fileSignature,
    systemd: !windows,
  };
};

export const TARGETS: readonly Target[] = [
  target(
    "linux-x64",
    "linux-x64",
    "linux",
    "amd64",
    /^ELF 64-bit LSB .*x86-64.*interpreter \/lib64\/ld-linux-x86-64/,
  ),
  target("linux-arm64", "linux-aarch64", "linux", "arm64", /^ELF 64-bit LSB .*ARM aarch64.*ld-linux-aarch64/),
  target(
    "linux-x64-musl",
    "linux-x64-musl",
    "linux-musl",
    "amd64",
    /^ELF 64-bit LSB .*x86-64.*ld-musl-x86_64/,
  ),
  target(
    "linux-arm64-musl",
    "linux-aarch64-musl",
    "linux-musl",
    "arm64",
    /^ELF 64-bit LSB .*aarch64.*ld-musl-aarch64/,
  ),
  target("darwin-x64", "darwin-x64", "darwin", "amd64", /^Mach-O 64-bit x86_64 executable/),
  target("darwin-arm64", "darwin-aarch64", "darwin", "arm64", /^Mach-O 64-bit arm64 executable/),
  target("windows-x64", "windows-x64", "windows", "amd64", /^PE32\+ executable .*x86-64/),
];

/**
 * Finds a target by Courier's or Bun's name.
 * findTarget("bun-linux-arm64") → the linux-arm64 target; findTarget("sparc") → undefined
 */
export function findTarget(name: string): Target | undefined {
  const short = name.startsWith("bun-") ? name.slice(4) : name;
  return TARGETS.find((t) => t.name === short);
}

/** The target this machine is, judged by the Bun that runs this script. */
export function hostTarget(): Target {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const musl = os === "linux" && runsOnMusl();
  const name = `${os}-${process.arch}${musl ? "-musl" : ""}`;
  const found = findTarget(name);
  if (!found) throw new Error(`no release target matches this machine (${name})`);
  return found;
}

/**
 * The archive file name for a target.
 * archiveName("0.1.0", linux-arm64-musl) → "courier_0.1.0_linux-musl_arm64.tar.gz"
 */
export function archiveName(version: string, t: Target): string {
  return `courier_${version}_${t.os}_${t.arch}.tar.gz`;
}

// A musl build of Bun names musl's loader as its ELF interpreter, which sits in the first page.
function runsOnMusl(): boolean {
  const head = Buffer.alloc(4096);
  const fd = openSync(process.execPath, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.includes("/ld-musl-");
}
