import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tailFile } from "../../../src/audit/listeners/file-tail.ts";
import { listenForAudit } from "../../../src/audit/listeners/listen.ts";
import type { CourierError } from "../../../src/errors.ts";
import { FAST, numberOf, range, tailers, tempDirs, VaultLikeWriter } from "./file-tail-support.ts";
import { entry, recorder, waitFor } from "./helpers.ts";

const dirs = tempDirs();
const tails = tailers();
afterAll(async () => {
  await tails.closeAll();
  dirs.removeAll();
});

describe("file tailer: following appends", () => {
  test("delivers lines appended after it starts, in order, and none written before it started", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    writer.entries(0, 9);
    const { lines, numbers } = await tails.start(path);
    writer.entries(10, 209);
    await waitFor(() => lines.length === 200, "200 appended entries");
    expect(numbers()).toEqual(range(10, 209));
    expect(new Set(lines.map((l) => l.sender))).toEqual(new Set(["file"]));
  });

  test("picks up an append within moments through the directory watch, without waiting for a poll", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines } = await tails.start(path, { pollIntervalMs: 60_000 });
    await Bun.sleep(20);
    writer.line(entry(1));
    await waitFor(() => lines.length === 1, "the entry, through the watch", 2000);
  });

  test("joins a line whose two halves were written apart into one entry", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines, tailer } = await tails.start(path);
    const whole = entry(7, 400);
    writer.bytes(whole.slice(0, 150));
    await Bun.sleep(40); // many polls: the first half is read and held
    expect(lines).toEqual([]);
    expect(tailer.offset).toBe(0);
    writer.bytes(`${whole.slice(150)}\n`);
    await waitFor(() => lines.length === 1, "the joined entry");
    expect(lines[0]!.line).toBe(whole);
  });

  test("strips the device's prefix from every entry", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path, "vault-audit: ");
    const { lines } = await tails.start(path, { prefix: "vault-audit: " });
    writer.entries(1, 3);
    await waitFor(() => lines.length === 3, "three entries");
    expect(lines.map((l) => l.line)).toEqual([entry(1), entry(2), entry(3)]);
  });

  test("drops and counts a line over the cap and a line that is not UTF-8, and goes on with the next", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines, counters } = await tails.start(path, { maxLineBytes: 1000, chunkBytes: 256 });
    writer.line(entry(1, 5000));
    writer.bytes(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
    writer.line(entry(2, 900));
    await waitFor(() => lines.length === 1, "the entry after the bad ones");
    expect(numberOf(lines[0]!.line)).toBe(2);
    expect(counters.oversize).toBe(1);
    expect(counters.rejected.invalid_utf8).toBe(1);
  });

  test("stops reading when closed", async () => {
    const path = join(dirs.make(), "audit.log");
    const writer = new VaultLikeWriter(path);
    const { lines, tailer } = await tails.start(path);
    writer.entries(1, 5);
    await waitFor(() => lines.length === 5, "five entries");
    await tailer.close();
    writer.entries(6, 10);
    await Bun.sleep(60);
    expect(lines.length).toBe(5);
  });
});

describe("file tailer: a file that is not there", () => {
  test.each([
    ["a file that does not exist yet", false],
    ["a directory that does not exist yet", true],
  ])("waits for %s, warns once, then reads it from its start", async (_, inMissingDir) => {
    const dir = join(dirs.make(), inMissingDir ? "vault" : "");
    const path = join(dir, "audit.log");
    const { lines, warnings, numbers, tailer } = await tails.start(path);
    expect(tailer.following).toBe(0);
    await Bun.sleep(80);
    mkdirSync(dir, { recursive: true });
    const writer = new VaultLikeWriter(path);
    writer.entries(1, 3);
    await waitFor(() => lines.length === 3, "the entries of the new file");
    expect(numbers()).toEqual([1, 2, 3]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${path} does not exist`);
  });

  test("refuses to start on a path that is a directory, saying so", async () => {
    const dir = dirs.make();
    const error = (await tailFile(dir, { ...FAST, ...recorder().options }).catch((e) => e)) as CourierError;
    expect(error.code).toBe("LISTEN_FAILED");
    expect(error.message).toContain(`cannot read the audit file ${dir}: it is a directory`);
  });

  test("refuses a prefix that holds a newline as a configuration error", async () => {
    const path = join(dirs.make(), "audit.log");
    writeFileSync(path, "");
    const options = { ...FAST, ...recorder().options, prefix: "a\nb" };
    const error = (await tailFile(path, options).catch((e) => e)) as CourierError;
    expect(error.code).toBe("CONFIG_INVALID");
  });
});

describe("listenForAudit with a file:// address", () => {
  test("returns a tailer of that file", async () => {
    const path = join(dirs.make(), "audit.log");
    writeFileSync(path, "");
    const r = recorder();
    const listener = await listenForAudit(`file://${path}`, { ...r.options, ...FAST });
    try {
      expect(listener.address).toBe(`file://${path}`);
      new VaultLikeWriter(path).line(entry(1));
      await waitFor(() => r.lines.length === 1, "the entry");
    } finally {
      await listener.close();
    }
  });
});
