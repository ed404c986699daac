import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tarBytes, writeTarGz } from "../../scripts/build/tarball.ts";
import { run } from "./fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "courier-tar-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (text: string) => new TextEncoder().encode(text);
const binary = new Uint8Array(70_000).map((_, i) => (i * 7) % 251); // spans many blocks, ends mid-block
const entries = [
  { name: "courier", mode: 0o755, data: binary },
  { name: "README.md", mode: 0o644, data: bytes("# Courier\n") },
  { name: "empty", mode: 0o600, data: new Uint8Array(0) },
];
const mtime = 1_764_000_000; // 2025-11-24 16:00:00 UTC

describe("release tarballs", () => {
  test("list every file with its mode, size and the fixed owner and time under GNU tar", async () => {
    const archive = join(dir, "list.tar.gz");
    await writeTarGz(archive, entries, mtime);
    const out = run(["tar", "--numeric-owner", "--utc", "-tvzf", archive], { env: { TZ: "UTC" } });
    expect(out.exitCode).toBe(0);
    expect(out.stdout.trim().split("\n")).toEqual([
      "-rwxr-xr-x 0/0           70000 2025-11-24 16:00 courier",
      "-rw-r--r-- 0/0              10 2025-11-24 16:00 README.md",
      "-rw------- 0/0               0 2025-11-24 16:00 empty",
    ]);
  });

  test("extract to the same bytes, and the executable stays executable", async () => {
    const archive = join(dir, "extract.tar.gz");
    await writeTarGz(archive, entries, mtime);
    const into = join(dir, "out");
    mkdirSync(into);
    expect(run(["tar", "-xzf", archive, "-C", into]).exitCode).toBe(0);
    expect(new Uint8Array(readFileSync(join(into, "courier")))).toEqual(binary);
    expect(readFileSync(join(into, "README.md"), "utf8")).toBe("# Courier\n");
    expect(statSync(join(into, "courier")).mode & 0o777).toBe(0o755);
  });

  test("are the same bytes every time for the same files", async () => {
    await writeTarGz(join(dir, "a.tar.gz"), entries, mtime);
    await writeTarGz(join(dir, "b.tar.gz"), entries, mtime);
    expect(readFileSync(join(dir, "a.tar.gz")).equals(readFileSync(join(dir, "b.tar.gz")))).toBe(true);
  });

  test.each([
    ["no files: just the two end blocks", [], 1024],
    ["one small file: header, one data block, end", [{ name: "a", mode: 0o644, data: bytes("hi") }], 2048],
    ["a file of exactly one block", [{ name: "a", mode: 0o644, data: new Uint8Array(512) }], 2048],
    ["a file one byte over a block", [{ name: "a", mode: 0o644, data: new Uint8Array(513) }], 2560],
  ])("size in blocks: %s", (_, files, size) => {
    expect(tarBytes(files, 0).length).toBe(size);
  });

  test("refuse a path longer than ustar's 100 bytes rather than cut it", () => {
    expect(() => tarBytes([{ name: "x".repeat(101), mode: 0o644, data: bytes("") }], 0)).toThrow(
      "archive path too long for ustar",
    );
  });
});
