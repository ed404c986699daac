import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { compileBinary } from "../../scripts/build/compile.ts";
import { debName, hasDebianPackage } from "../../scripts/build/debian.ts";
import { checkBinaryFormat } from "../../scripts/build/file-check.ts";
import { defaultCacheDir, ensureRuntime, runtimePath } from "../../scripts/build/runtime-cache.ts";
import { archiveName, findTarget, hostTarget, TARGETS } from "../../scripts/build/targets.ts";
import { FIXTURE_VERSION, makeFixtureProject, run } from "./fixture.ts";

// Cross-builds need runtimes from the npm registry. The suite builds one only when its runtime is
// already cached (a `bun run release` caches them all); the whole release, run with no network
// at all, is behind COURIER_TEST_RELEASE=1.
const cross = findTarget(hostTarget().name === "linux-arm64" ? "linux-x64" : "linux-arm64")!;
const cached = existsSync(runtimePath(defaultCacheDir(), Bun.version, cross));
const projects: string[] = [];
afterAll(() => {
  for (const p of projects) rmSync(p, { recursive: true, force: true });
});

describe("cross-building", () => {
  test.skipIf(!cached)(`makes a ${cross.name} binary of the fixture from the cached runtime`, async () => {
    const root = makeFixtureProject();
    projects.push(root);
    const runtime = await ensureRuntime(cross, { offline: true });
    const built = await compileBinary({
      root,
      target: cross,
      executablePath: runtime.path,
      outfile: join(root, "out", cross.binary),
      info: { version: FIXTURE_VERSION, commit: "cr055", commitTime: 0 },
    });
    expect(checkBinaryFormat(built.path, cross).ok).toBe(true);

    // Where qemu-user and the target's libc are installed, the binary can be run, worker and all.
    const sysroot = "/usr/aarch64-linux-gnu";
    if (cross.name === "linux-arm64" && Bun.which("qemu-aarch64") && existsSync(sysroot)) {
      const out = run(["qemu-aarch64", "-L", sysroot, built.path], { cwd: "/" });
      expect(JSON.parse(out.stdout)).toEqual({
        doubled: 42,
        version: FIXTURE_VERSION,
        nodeEnv: "production",
      });
    }
  });

  test.skipIf(process.env.COURIER_TEST_RELEASE !== "1")(
    "releases every target with no network once the runtimes are cached",
    async () => {
      for (const target of TARGETS) await ensureRuntime(target);
      const root = makeFixtureProject({ withScripts: true });
      projects.push(root);
      const release = [process.execPath, "scripts/release.ts", "--offline"];
      // A network namespace of its own has no interface but loopback: nothing can be downloaded.
      const isolated = run(["unshare", "-n", "true"]).exitCode === 0;
      const out = run(isolated ? ["unshare", "-n", ...release] : release, { cwd: root });
      expect(out.exitCode).toBe(0);

      const dir = join(root, "dist", "release");
      const archives = TARGETS.map((t) => archiveName(FIXTURE_VERSION, t));
      const debs = TARGETS.filter(hasDebianPackage).map((t) => debName(FIXTURE_VERSION, t));
      expect(debs).toEqual(["courier_9.8.7_amd64.deb", "courier_9.8.7_arm64.deb"]);
      expect(readdirSync(dir).sort()).toEqual(["SHA256SUMS", ...archives, ...debs].sort());
      expect(run(["sha256sum", "-c", "SHA256SUMS"], { cwd: dir }).exitCode).toBe(0);
      for (const target of TARGETS) {
        expect(out.stdout).toMatch(new RegExp(`^${target.name} +ok: `, "m"));
        const list = run(["tar", "-tzf", join(dir, archiveName(FIXTURE_VERSION, target))]).stdout;
        expect(list.split("\n")[0]).toBe(target.binary);
      }
      for (const target of TARGETS.filter(hasDebianPackage)) {
        const control = run(["dpkg-deb", "-f", join(dir, debName(FIXTURE_VERSION, target))]).stdout;
        expect(control).toContain(`Architecture: ${target.arch}\n`);
      }
    },
    300_000,
  );
});
