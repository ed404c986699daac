import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256File, sumsText } from "../../scripts/build/checksums.ts";
import { run } from "./fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "courier-sums-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = ["courier_1.0.0_linux_arm64.tar.gz", "courier_1.0.0_darwin_amd64.tar.gz"];

async function writeRelease(): Promise<void> {
  for (const name of names) writeFileSync(join(dir, name), `pretend archive ${name}\n`.repeat(5000));
  const files = await Promise.all(
    names.map(async (name) => ({ name, sha256: await sha256File(join(dir, name)) })),
  );
  writeFileSync(join(dir, "SHA256SUMS"), sumsText(files));
}

describe("SHA256SUMS", () => {
  test("holds the same hashes sha256sum computes", async () => {
    writeFileSync(join(dir, "one"), "abc");
    // The SHA-256 test vector for "abc" (FIPS 180-2).
    expect(await sha256File(join(dir, "one"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  test("verifies with sha256sum -c, one OK per archive", async () => {
    await writeRelease();
    const out = run(["sha256sum", "-c", "SHA256SUMS"], { cwd: dir });
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe("courier_1.0.0_darwin_amd64.tar.gz: OK\ncourier_1.0.0_linux_arm64.tar.gz: OK\n");
  });

  test("makes sha256sum -c fail and name the archive that was changed after release", async () => {
    await writeRelease();
    appendFileSync(join(dir, "courier_1.0.0_linux_arm64.tar.gz"), "tampered");
    const out = run(["sha256sum", "-c", "SHA256SUMS"], { cwd: dir });
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toContain("courier_1.0.0_linux_arm64.tar.gz: FAILED");
    expect(out.stdout).toContain("courier_1.0.0_darwin_amd64.tar.gz: OK");
  });

  test.each([
    [
      "sorts by name",
      [
        { name: "b", sha256: "2" },
        { name: "a", sha256: "1" },
      ],
      "1  a\n2  b\n",
    ],
    ["keeps only the file name", [{ name: "/tmp/x/c.tar.gz", sha256: "3" }], "3  c.tar.gz\n"],
    ["is empty for no files", [], ""],
  ])("text: %s", (_, files, text) => {
    expect(sumsText(files)).toBe(text);
  });
});
