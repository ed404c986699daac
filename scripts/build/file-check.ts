// Asks file(1) what a built binary is, and whether that matches the target it was built for: a
// runtime from the wrong package or a silent fallback to the host would show up here.
import type { Target } from "./targets.ts";

export interface FileCheck {
  description: string;
  ok: boolean;
}

export function checkBinaryFormat(path: string, target: Target): FileCheck {
  let run: { exitCode: number; stdout: Buffer; stderr: Buffer };
  try {
    run = Bun.spawnSync(["file", "-b", path], { stdout: "pipe", stderr: "pipe" });
  } catch {
    throw new Error("file(1) is needed to check each binary's format: install the 'file' package");
  }
  if (run.exitCode !== 0) throw new Error(`file ${path} failed: ${run.stderr.toString().trim()}`);
  const description = run.stdout.toString().trim();
  return { description, ok: target.fileSignature.test(description) };
}

/**
 * The parts of file(1)'s answer that tell targets apart: format, architecture and, for Linux, the
 * loader that says glibc or musl.
 * shortFormat("ELF 64-bit LSB executable, ARM aarch64, version 1 (SYSV), dynamically linked,
 *   interpreter /lib/ld-musl-aarch64.so.1, …") → "ELF 64-bit LSB executable, ARM aarch64, /lib/ld-musl-aarch64.so.1"
 * shortFormat("Mach-O 64-bit arm64 executable, flags:<NOUNDEFS|PIE>") → "Mach-O 64-bit arm64 executable"
 */
export function shortFormat(description: string): string {
  const parts = description.split(", ");
  const loader = parts.find((part) => part.startsWith("interpreter "))?.slice("interpreter ".length);
  const head = parts.slice(0, 2).filter((part) => !part.startsWith("flags:"));
  return [...head, ...(loader ? [loader] : [])].join(", ");
}
