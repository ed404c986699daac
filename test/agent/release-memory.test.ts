// Which mappings an idle agent pages out: the executable's own read-only ones (code, constants),
// never a writable one (its written pages are anonymous memory) nor another file's.
import { describe, expect, test } from "bun:test";
import { executableReadOnlyRanges, releaseMemory } from "../../src/agent/release-memory.ts";

const MAPS = [
  "00200000-01a39000 r--p 00000000 fd:01 4242                               /usr/local/bin/courier",
  "01a40000-0684a000 r-xp 01838000 fd:01 4242                               /usr/local/bin/courier",
  "06867000-06e9b000 rw-p 0665e000 fd:01 4242                               /usr/local/bin/courier",
  "06e9b000-06f00000 rw-p 00000000 00:00 0 ",
  "7f0000000000-7f0000200000 r-xp 00000000 fd:01 99                         /usr/lib/x86_64-linux-gnu/libc.so.6",
  "7f1000000000-7f1000001000 r--p 00000000 fd:01 4243                       /usr/local/bin/courier-old (deleted)",
  "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]",
].join("\n");

describe("releasing memory when idle", () => {
  test("only the executable's read-only mappings are paged out", () => {
    expect(executableReadOnlyRanges(MAPS, "/usr/local/bin/courier")).toEqual([
      { start: 0x200000, end: 0x1a39000 },
      { start: 0x1a40000, end: 0x684a000 },
    ]);
  });

  test("nothing to page out when /proc cannot be read or the executable is not mapped", () => {
    expect(executableReadOnlyRanges(undefined, "/usr/local/bin/courier")).toEqual([]);
    expect(executableReadOnlyRanges(MAPS, "/opt/other")).toEqual([]);
  });

  test("this process's executable is found and offered to the kernel on Linux", () => {
    const released = releaseMemory();
    expect(released.rssAfter).toBeGreaterThan(0);
    if (process.platform === "linux") {
      expect(executableReadOnlyRanges().length).toBeGreaterThan(0);
      expect(released.pagedOut).toBeGreaterThan(0);
    } else {
      expect(released.pagedOut).toBe(0);
    }
  });
});
