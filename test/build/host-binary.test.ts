import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readBuildInfo } from "../../scripts/build/build-info.ts";
import { hostTarget } from "../../scripts/build/targets.ts";
import { ensureBinary } from "../support/binary.ts";
import { run } from "./fixture.ts";

const root = join(import.meta.dir, "..", "..");
const hasEntry = existsSync(join(root, "src", "main.ts"));

describe("dist/courier, built for this machine", () => {
  test.skipIf(!hasEntry).each([["--version"], ["version"]])(
    "`courier %s` prints the version, commit, target and Bun version built into it",
    async (arg) => {
      const binary = await ensureBinary();
      const { version, commit } = readBuildInfo(root);
      const out = run([binary, arg], { cwd: "/" });
      expect(out.exitCode).toBe(0);
      for (const part of [version, commit, hostTarget().name, Bun.version])
        expect(out.stdout).toContain(part);
    },
    120_000,
  );

  test.skipIf(!hasEntry)("is built once and then reused while nothing it is made from changes", async () => {
    const first = await ensureBinary();
    const mtime = Bun.file(first).lastModified;
    expect(await ensureBinary()).toBe(first);
    expect(Bun.file(first).lastModified).toBe(mtime);
  });
});
