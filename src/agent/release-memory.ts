// What an agent that has gone quiet gives back to the host it shares with Vault.
//
// The heap: a full collection, then its free pages handed back (what start-up and the last burst
// left behind, about 2 MB).
//
// The executable's own pages: `bun build --compile` makes one ~110 MB file, mapped, and start-up
// (configuration, the HTTP client and server, a worker's second JavaScript VM, the JIT's
// compilers) touches about 33 MB of its code and read-only data, which then count in the
// process's resident memory for good, though an idle agent runs little of it. Those pages are
// clean and file-backed, so MADV_PAGEOUT (Linux 5.4+) can ask the kernel to reclaim them now
// rather than under memory pressure; the next burst faults back what it uses from the page cache
// or the disk. That is how an idle agent stays near a bare Bun listener (35–38 MB resident a
// minute idle rather than 54–56, against 28 MB; scripts/bench/footprint.ts). Pages another process maps too (a `courier diff` running beside it) are left
// alone by the kernel. Writable mappings are never touched: their written pages are anonymous
// memory, which paging out could only push to swap.

import { FFIType } from "bun:ffi";
import { readFileSync, realpathSync } from "node:fs";
import { openLibc } from "../libc.ts";

/** Linux's MADV_PAGEOUT (include/uapi/asm-generic/mman-common.h); older kernels answer EINVAL. */
const MADV_PAGEOUT = 21;

export interface Released {
  /** Resident bytes before and after. */
  rssBefore: number;
  rssAfter: number;
  /** Bytes of the executable's read-only mappings offered to the kernel; 0 where it cannot be done. */
  pagedOut: number;
}

type Madvise = (address: number, length: number, advice: number) => number;
let madvise: Madvise | null | undefined;

/** Collects the heap and pages out the executable's read-only mappings (Linux). Cheap when idle. */
export function releaseMemory(): Released {
  const rssBefore = process.memoryUsage.rss();
  Bun.gc(true);
  Bun.shrink();
  const pagedOut = pageOutExecutable();
  return { rssBefore, rssAfter: process.memoryUsage.rss(), pagedOut };
}

function pageOutExecutable(): number {
  if (process.platform !== "linux") return 0;
  madvise ??= (openLibc({ madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 } })
    ?.madvise ?? null) as Madvise | null;
  if (madvise === null) return 0;
  let offered = 0;
  for (const range of executableReadOnlyRanges()) {
    if (madvise(range.start, range.end - range.start, MADV_PAGEOUT) === 0) offered += range.end - range.start;
  }
  return offered;
}

interface Range {
  start: number;
  end: number;
}

/** The executable's mappings that are not writable, from /proc/self/maps; none if it cannot be read. */
export function executableReadOnlyRanges(maps = readMaps(), executable = executablePath()): Range[] {
  if (maps === undefined || executable === undefined) return [];
  const ranges: Range[] = [];
  for (const line of maps.split("\n")) {
    // "00200000-01a39000 r--p 00000000 fd:01 1234   /usr/local/bin/courier"
    const match = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s+(.*)$/.exec(line);
    if (match === null) continue;
    const [, start, end, perms, path] = match as unknown as [string, string, string, string, string];
    if (path !== executable || perms.includes("w")) continue;
    ranges.push({ start: Number.parseInt(start, 16), end: Number.parseInt(end, 16) });
  }
  return ranges;
}

function readMaps(): string | undefined {
  try {
    return readFileSync("/proc/self/maps", "utf8");
  } catch {
    return undefined;
  }
}

function executablePath(): string | undefined {
  try {
    return realpathSync(process.execPath);
  } catch {
    return undefined;
  }
}
