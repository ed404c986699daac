import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { planArchive } from "../../scripts/build/archive-files.ts";
import { debName, hasDebianPackage } from "../../scripts/build/debian.ts";
import { archiveName, findTarget, hostTarget } from "../../scripts/build/targets.ts";
import { inThrowawayRoot, verifyUnit, whyNoThrowawayInstall } from "./deb-install.ts";
import { FIXTURE_VERSION, makeFixtureProject, run } from "./fixture.ts";

// The release script itself, run on the fixture program for this machine's target only: the
// other targets need their runtimes fetched, which is for the cross-build test and the script.
const host = hostTarget();
const archive = archiveName(FIXTURE_VERSION, host);
const deb = hasDebianPackage(host) ? debName(FIXTURE_VERSION, host) : undefined;
const packages = deb ? [archive, deb] : [archive];
let root: string;
let out: string;
let release: ReturnType<typeof run>;

beforeAll(() => {
  root = makeFixtureProject({ withScripts: true });
  out = join(root, "dist", "release");
  release = run([process.execPath, "scripts/release.ts", "--targets", host.name, "--offline"], { cwd: root });
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("bun run release, for this machine's target", () => {
  test("succeeds and leaves only the archive, the .deb on glibc Linux, and SHA256SUMS", () => {
    expect(release.stderr).toBe("");
    expect(release.exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["SHA256SUMS", ...packages].sort());
  });

  test("prints a table row with the target, what file(1) says, the sizes and the archive's sha256", () => {
    const sums = readFileSync(join(out, "SHA256SUMS"), "utf8");
    const sha = sums
      .split("\n")
      .find((line) => line.endsWith(`  ${archive}`))!
      .split("  ")[0]!;
    const row = release.stdout.split("\n").find((line) => line.startsWith(`${host.name} `));
    expect(row).toMatch(new RegExp(`^${host.name} +ok: \\S.* +[0-9.]+ MiB +[0-9.]+ MiB +${sha}$`));
  });

  test("writes a SHA256SUMS that sha256sum -c verifies, for the archive and the package", () => {
    const check = run(["sha256sum", "-c", "SHA256SUMS"], { cwd: out });
    const lines = packages.map((name) => `${name}: OK\n`).sort();
    expect(check).toMatchObject({ exitCode: 0, stdout: lines.join("") });
  });

  test("packs the binary, README, LICENSE, systemd unit, example config, dashboard and alert rules", () => {
    const list = run(["tar", "-tzf", join(out, archive)]);
    expect(list.stdout.trim().split("\n")).toEqual([
      host.binary,
      "README.md",
      "LICENSE",
      "courier.service",
      "courier.example.yaml",
      "grafana-dashboard.json",
      "courier-rules.yaml",
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

describe.skipIf(!deb)("the Debian package, for this machine's target", () => {
  const path = () => join(out, deb!);
  const SHARED = ["/usr/share/courier/courier-rules.yaml", "/usr/share/courier/grafana-dashboard.json"];

  test("dpkg-deb -I names the package courier, its version and architecture", () => {
    const info = run(["dpkg-deb", "-I", path()]);
    expect(info.exitCode).toBe(0);
    expect(info.stdout).toMatch(/^ Package: courier$/m);
    expect(info.stdout).toMatch(new RegExp(`^ Version: ${FIXTURE_VERSION}$`, "m"));
    expect(info.stdout).toMatch(new RegExp(`^ Architecture: ${host.arch}$`, "m"));
  });

  test("dpkg-deb -c lists the binary, the unit, the example config and the monitoring files, owned by root", () => {
    const listed = run(["dpkg-deb", "-c", path()]).stdout.trim().split("\n");
    const files = new Map(listed.map((line) => [line.split(/\s+/).at(-1)!.replace(/^\./, ""), line]));
    const modes: [string, string][] = [
      ["/usr/bin/courier", "-rwxr-xr-x"],
      ["/lib/systemd/system/courier.service", "-rw-r--r--"],
      ["/etc/courier/courier.yaml.example", "-rw-r--r--"],
      ...SHARED.map((file): [string, string] => [file, "-rw-r--r--"]),
    ];
    for (const [file, mode] of modes) expect(files.get(file)).toStartWith(`${mode} root/root `);
    expect(run(["dpkg-deb", "-I", path(), "conffiles"]).stdout).toBe("/etc/courier/courier.yaml.example\n");
  });

  test("unpacked with dpkg -x, the unit runs /usr/bin/courier and passes systemd-analyze verify", () => {
    const scratch = join(root, "deb-root");
    expect(run(["dpkg-deb", "-x", path(), scratch]).exitCode).toBe(0);
    const unit = readFileSync(join(scratch, "lib/systemd/system/courier.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/courier run --config \/etc\/courier\/courier\.yaml$/m);
    const version = run([join(scratch, "usr/bin/courier"), "--version"], { cwd: "/" });
    expect(version.stdout).toBe(`courier ${FIXTURE_VERSION} unknown ${host.name}\n`);
    for (const file of SHARED) {
      expect(readFileSync(join(scratch, file))).toEqual(
        readFileSync(join(root, "scripts/monitoring", file.split("/").at(-1)!)),
      );
    }
    const verify = verifyUnit(scratch, "lib/systemd/system/courier.service");
    if (!verify) return console.log("systemd-analyze is not installed: the unit was not verified");
    expect(verify).toMatchObject({ exitCode: 0, stderr: "" });
  });

  const noInstall = whyNoThrowawayInstall();
  test("dpkg -i creates the courier user and /var/lib/courier, starts nothing, and dpkg -r leaves the user", () => {
    if (noInstall) return console.log(`${noInstall}: the package was unpacked but not installed`);
    const script = [
      `dpkg -i /${deb} >/dev/null`,
      "getent passwd courier | cut -d: -f1,6,7",
      'stat -c "%U:%G %a" /var/lib/courier',
      "systemctl is-enabled courier.service >/dev/null 2>&1 && echo enabled || echo not-enabled",
      "systemd-analyze verify --man=no /lib/systemd/system/courier.service 2>&1 && echo verified",
      "dpkg -r courier >/dev/null",
      "test -e /usr/bin/courier || echo binary-removed",
      "test -e /etc/courier/courier.yaml.example && echo conffile-kept",
      "getent passwd courier | cut -d: -f1",
    ].join("\n");
    const installed = inThrowawayRoot(path(), script);
    expect(installed.stderr).toBe("");
    const verified = Bun.which("systemd-analyze") ? ["verified"] : [];
    expect(
      installed.stdout
        .trim()
        .split("\n")
        .filter((line) => line !== ""),
    ).toEqual([
      "courier:/var/lib/courier:/usr/sbin/nologin",
      "courier:courier 750",
      "not-enabled",
      ...verified,
      "binary-removed",
      "conffile-kept",
      "courier",
    ]);
    expect(run(["getent", "passwd", "courier"]).exitCode).not.toBe(0); // this machine untouched
  }, 60_000);
});

describe("what an archive holds", () => {
  test("leaves out a missing unit and example config, with a warning for each", () => {
    const project = makeFixtureProject({
      without: [
        "scripts/courier.service",
        "scripts/courier.example.yaml",
        "scripts/monitoring/courier-rules.yaml",
      ],
    });
    try {
      const plan = planArchive(project, findTarget("linux-arm64")!, join(project, "LICENSE"));
      expect(plan.entries.map((e) => e.name)).toEqual([
        "courier",
        "README.md",
        "LICENSE",
        "grafana-dashboard.json",
      ]);
      expect(plan.warnings).toEqual([
        "scripts/courier.service does not exist yet; the archives leave it out",
        "scripts/courier.example.yaml does not exist yet; the archives leave it out",
        "scripts/monitoring/courier-rules.yaml does not exist yet; the archives leave it out",
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
        ["grafana-dashboard.json", "644"],
        ["courier-rules.yaml", "644"],
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
