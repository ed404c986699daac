import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { range, tailers, tempDirs, VaultLikeWriter } from "./file-tail-support.ts";
import { waitFor } from "./helpers.ts";

const dirs = tempDirs();
const tails = tailers();
afterAll(async () => {
  await tails.closeAll();
  dirs.removeAll();
});

/** Entries first..last, a few at a time with short pauses, so the tailer reads mid-burst. */
async function burst(writer: VaultLikeWriter, first: number, last: number): Promise<void> {
  for (let n = first; n <= last; n += 10) {
    writer.entries(n, Math.min(last, n + 9));
    await Bun.sleep(1);
  }
}

/** Sorted, so a line seen twice shows as a repeated number and a missed one as a gap. */
const sorted = (numbers: number[]) => [...numbers].sort((a, b) => a - b);

describe("file tailer: rename rotation", () => {
  test.each([
    ["logrotate's create makes the new file before Vault reopens", true],
    ["Vault creates the new file when it reopens", false],
  ])("sees every entry exactly once when the file is renamed mid-burst (%s)", async (_, create) => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines, numbers, warnings, tailer } = await tails.start(path);
    await burst(writer, 0, 199);
    renameSync(path, `${path}.1`);
    if (create) writeFileSync(path, "", { mode: 0o600 });
    await burst(writer, 200, 299); // Vault still holds the old file until SIGHUP
    await Bun.sleep(30);
    writer.reopen();
    await burst(writer, 300, 599);
    await waitFor(() => lines.length >= 600, "all 600 entries");
    await Bun.sleep(50);
    expect(sorted(numbers())).toEqual(range(0, 599));
    expect(warnings).toEqual([]);
    await waitFor(() => tailer.following === 1, "the rotated file let go after the grace period");
  });

  test("keeps reading the renamed file for as long as Vault writes only to it", async () => {
    // Vault 1.15.0 did not reopen file devices on SIGHUP: the new file stays empty for good.
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines, numbers, tailer } = await tails.start(path, { rotationGraceMs: 50 });
    writer.entries(0, 9);
    renameSync(path, `${path}.1`);
    writeFileSync(path, "");
    for (let n = 10; n < 20; n++) {
      await Bun.sleep(20);
      writer.entries(n, n);
    }
    await waitFor(() => lines.length === 20, "every entry written to the renamed file");
    expect(numbers()).toEqual(range(0, 19));
    expect(tailer.following).toBe(2);
  });

  test("sees every entry across a second rotation while the first rotated file is still drained", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines, numbers, tailer } = await tails.start(path, { rotationGraceMs: 5000 });
    writer.entries(0, 9);
    renameSync(path, `${path}.1`);
    writer.entries(10, 19);
    writer.reopen();
    writer.entries(20, 29);
    await waitFor(() => lines.length === 30 && tailer.following === 2, "the first rotation followed");
    renameSync(`${path}.1`, `${path}.2`);
    renameSync(path, `${path}.1`);
    writer.entries(30, 39);
    writer.reopen();
    writer.entries(40, 49);
    await waitFor(() => lines.length >= 50, "all 50 entries");
    await Bun.sleep(50);
    expect(sorted(numbers())).toEqual(range(0, 49));
  });

  test("follows a file deleted and recreated at the same path", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines, numbers, warnings } = await tails.start(path);
    writer.entries(0, 4);
    await waitFor(() => lines.length === 5, "the first entries");
    unlinkSync(path);
    writer.entries(5, 9); // into the deleted file, still open on both sides
    await Bun.sleep(40);
    writer.reopen();
    writer.entries(10, 14);
    await waitFor(() => lines.length === 15, "every entry");
    expect(numbers()).toEqual(range(0, 14));
    expect(warnings).toEqual([]);
  });
});

describe("file tailer: truncation", () => {
  test("reads a file truncated in place (copytruncate) from its start again, with nothing twice", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines, numbers, tailer } = await tails.start(path);
    writer.entries(0, 49);
    await waitFor(() => lines.length === 50, "the entries before rotation");
    copyFileSync(path, `${path}.1`);
    truncateSync(path, 0);
    await waitFor(() => tailer.offset === 0, "the truncation noticed");
    await burst(writer, 50, 99); // O_APPEND: Vault's next write lands at the new end
    await waitFor(() => lines.length >= 100, "the entries after rotation");
    await Bun.sleep(50);
    expect(numbers()).toEqual(range(0, 99));
  });

  test("counts an unfinished line cut off by truncation as truncated, not as an entry", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines, counters, tailer } = await tails.start(path);
    writer.bytes('{"type":"response","request":{"path":"kv/half');
    await Bun.sleep(40); // many polls: the half line is read and held
    expect(tailer.offset).toBe(0);
    truncateSync(path, 0);
    await waitFor(() => counters.truncated === 1, "the half line dropped");
    writer.entries(1, 1);
    await waitFor(() => lines.length === 1, "the next entry");
    expect(lines[0]!.line).toContain('"kv/k1"');
  });
});
