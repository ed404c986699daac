import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { planArchive } from "../../scripts/build/archive-files.ts";
import { archiveName, findTarget, hostTarget } from "../../scripts/build/targets.ts";
import { FIXTURE_VERSION, makeFixtureProject, run } from "./fixture.ts";

// The release script itself, run on the fixture program for this machine's target only: the
// other targets need their runtimes fetched, which is for the cross-build test and the script.
const host = hostTarget();
const archive = archiveName(FIXTURE_VERSION, host);
let root: string;
let out: string;
let release: ReturnType<typeof run>;

beforeAll(() => {
  root = makeFixtureProject({ withScripts: true });
  out = join(root, "dist", "release");
  release = run([process.execPath, "scripts/release.ts", "--targets", host.name, "--offline"], { cwd: root });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("bun run release, for this machine's target", () => {
  test("succeeds and leaves only the archive and SHA256SUMS", () => {
    expect(release.stderr).toBe("");
    expect(release.exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["SHA256SUMS", archive]);
  });

  test("prints a table row with the target, what file(1) says, the sizes and the archive's sha256", () => {
    const sums = readFileSync(join(out, "SHA256SUMS"), "utf8");
    const sha = sums.split("  ")[0]!;
    const row = release.stdout.split("\n").find((line) => line.startsWith(`${host.name} `));
    expect(row).toMatch(new RegExp(`^${host.name} +ok: \\S.* +[0-9.]+ MiB +[0-9.]+ MiB +${sha}$`));
  });

  test("writes a SHA256SUMS that sha256sum -c verifies", () => {
    const check = run(["sha256sum", "-c", "SHA256SUMS"], { cwd: out });
    expect(check).toMatchObject({ exitCode: 0, stdout: `${archive}: OK\n` });
  });

  test("packs the binary, README, LICENSE, systemd unit and example config", () => {
    const list = run(["tar", "-tzf", join(out, archive)]);
    expect(list.stdout.trim().split("\n")).toEqual([
      host.binary,
      "README.md",
      "LICENSE",
      "courier.service",
      "courier.example.yaml",
    ]);
  });

  test("packs a binary that runs once unpacked, with the fixture's version and an unknown commit", () => {
    const into = join(root, "unpacked");
    mkdirSync(into);
    expect(run(["tar", "-xzf", join(out, archive), "-C", into]).exitCode).toBe(0);
    expect(statSync(join(into, host.binary)).mode & 0o777).toBe(0o755);
    const version = run([join(into, host.binary), "--version"], { cwd: into });
    expect(version.stdout).toBe(`courier ${FIXTURE_VERSION} unknown ${host.name}\n`);
    expect(JSON.parse(run([join(into, host.binary)], { cwd: into }).stdout)).toMatchObject({ doubled: 42 });
  });
});

describe("what an archive holds", () => {
  test("leaves out a missing unit and example config, with a warning for each", () => {
    const project = makeFixtureProject({
      without: ["scripts/courier.service", "scripts/courier.example.yaml"],
    });
    try {
      const plan = planArchive(project, findTarget("linux-arm64")!, join(project, "LICENSE"));
      expect(plan.entries.map((e) => e.name)).toEqual(["courier", "README.md", "LICENSE"]);
      expect(plan.warnings).toEqual([
        "scripts/courier.service does not exist yet; the archives leave it out",
        "scripts/courier.example.yaml does not exist yet; the archives leave it out",
      ]);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test("has no systemd unit for Windows, and names its binary courier.exe", () => {
    const project = makeFixtureProject();
    try {
      const plan = planArchive(project, findTarget("windows-x64")!, join(project, "LICENSE"));
      expect(plan.entries.map((e) => [e.name, e.mode.toString(8)])).toEqual([
        ["courier.exe", "755"],
        ["README.md", "644"],
        ["LICENSE", "644"],
        ["courier.example.yaml", "644"],
      ]);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test("cannot be made without a LICENSE", () => {
    const project = makeFixtureProject({ without: ["LICENSE"] });
    try {
      expect(() => planArchive(project, host, join(project, "README.md"))).toThrow(
        "LICENSE is missing; a release cannot ship without it",
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
