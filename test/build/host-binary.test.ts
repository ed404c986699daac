import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readBuildInfo } from "../../scripts/build/build-info.ts";
import { hostTarget } from "../../scripts/build/targets.ts";
import { ensureBinary } from "../support/binary.ts";
import { startHarness } from "../support/courier-harness.ts";
import { parseExposition } from "../support/metrics-exposition.ts";
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

  test.skipIf(!hasEntry)(
    "serves courier_build_info with the same version, commit and target `courier version` prints",
    async () => {
      const binary = await ensureBinary();
      const printed = run([binary, "version"], { cwd: "/" }).stdout;
      const h = await startHarness({ transport: "udp", binary, flags: ["--http.address=127.0.0.1:0"] });
      try {
        const url = String((await h.courier.waitForLog("serving /healthz, /readyz and /metrics")).address);
        const families = parseExposition(await (await fetch(`${url}/metrics`)).text());
        const labels = families.get("courier_build_info")?.samples[0]?.labels ?? {};
        const { version, commit } = readBuildInfo(root);
        expect(labels).toEqual({ version, commit, target: hostTarget().name });
        expect(printed).toStartWith(`courier ${version}\ncommit  ${commit}\ntarget  ${hostTarget().name}\n`);
      } finally {
        await h.stop();
      }
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
