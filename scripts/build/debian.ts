// A Debian package for a glibc Linux target, courier_<version>_<arch>.deb, laid out in a staging
// folder and packed by `dpkg-deb --root-owner-group` (no fakeroot, no debhelper). It installs the
// binary at /usr/bin/courier, the systemd unit (ExecStart pointed there), the example config as a
// conffile, and the Grafana dashboard and alert rules under /usr/share/courier/. postinst creates
// the system user `courier` and /var/lib/courier and starts nothing: `courier setup` comes first.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BuildInfo } from "./build-info.ts";
import type { Target } from "./targets.ts";

export const UNIT_PATH = "lib/systemd/system/courier.service";
export const EXAMPLE_CONFIG_PATH = "etc/courier/courier.yaml.example";
export const SHARE_DIR = "usr/share/courier";

/** The files under /usr/share/courier, from the project's scripts/ folder. */
export const SHARED_FILES: readonly { source: string; name: string }[] = [
  { source: "scripts/monitoring/grafana-dashboard.json", name: "grafana-dashboard.json" },
  { source: "scripts/monitoring/courier-rules.yaml", name: "courier-rules.yaml" },
];

/** Debian packages are for the glibc Linux targets; musl builds are for Alpine and its apk. */
export function hasDebianPackage(target: Target): boolean {
  return target.os === "linux";
}

/**
 * debName("0.1.0", linux-arm64) → "courier_0.1.0_arm64.deb"
 */
export function debName(version: string, target: Target): string {
  return `courier_${debianVersion(version)}_${target.arch}.deb`;
}

/**
 * package.json's version as Debian orders it: a prerelease sorts before its release with "~".
 * debianVersion("1.2.0") → "1.2.0"; debianVersion("1.2.0-rc.1") → "1.2.0~rc.1"
 */
export function debianVersion(version: string): string {
  const [release, ...pre] = version.split("-");
  return pre.length ? `${release}~${pre.join("-")}` : version;
}

/**
 * The packaged unit runs the packaged binary. The unit `courier setup --systemd` writes names
 * /usr/local/bin, where an operator installs by hand; the package owns /usr/bin instead.
 */
export function packagedUnit(unit: string): string {
  return unit
    .replace(/^ExecStart=\S+/m, (line) => line.replace(/=\S+/, "=/usr/bin/courier"))
    .replace(/^# Written by `courier setup --systemd`.*$/m, "# Installed by the courier package.");
}

export interface DebOptions {
  root: string;
  target: Target;
  binaryPath: string;
  info: BuildInfo;
  outDir: string;
}

export interface DebResult {
  path: string;
  bytes: number;
  ms: number;
}

export async function buildDeb(options: DebOptions): Promise<DebResult> {
  const started = performance.now();
  if (!Bun.which("dpkg-deb")) {
    throw new Error("dpkg-deb is needed for the .deb packages: install the 'dpkg' package");
  }
  const stage = mkdtempSync(join(options.outDir, ".deb-"));
  try {
    stagePackage(stage, options);
    const path = join(options.outDir, debName(options.info.version, options.target));
    const run = Bun.spawnSync(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", stage, path], {
      // Every file's mtime in the package is clamped to the commit's time: the same bytes each build.
      env: { ...process.env, SOURCE_DATE_EPOCH: String(options.info.commitTime) },
      stdout: "pipe",
      stderr: "pipe",
    });
    if (run.exitCode !== 0) throw new Error(`dpkg-deb --build failed: ${run.stderr.toString().trim()}`);
    return { path, bytes: statSync(path).size, ms: performance.now() - started };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function stagePackage(stage: string, options: DebOptions): void {
  const { root, target, binaryPath, info } = options;
  const put = (path: string, data: string | Uint8Array, mode = 0o644) => {
    const full = join(stage, path);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, data);
    chmodSync(full, mode); // whatever the umask of the machine that builds
  };
  const project = (path: string) => readFileSync(join(root, path));

  put("usr/bin/courier", readFileSync(binaryPath), 0o755);
  put(UNIT_PATH, packagedUnit(project("scripts/courier.service").toString()));
  put(EXAMPLE_CONFIG_PATH, project("scripts/courier.example.yaml"));
  for (const file of SHARED_FILES) put(`${SHARE_DIR}/${file.name}`, project(file.source));
  put("usr/share/doc/courier/copyright", project("LICENSE"));
  put("usr/share/doc/courier/README.md", project("README.md"));

  const installedKiB = Math.ceil(
    [...new Bun.Glob("**").scanSync({ cwd: stage })].reduce((n, f) => n + statSync(join(stage, f)).size, 0) /
      1024,
  );
  put("DEBIAN/control", control(info, target, installedKiB));
  put("DEBIAN/conffiles", `/${EXAMPLE_CONFIG_PATH}\n`);
  put("DEBIAN/postinst", POSTINST, 0o755);
  put("DEBIAN/prerm", PRERM, 0o755);
  put("DEBIAN/postrm", POSTRM, 0o755);
  for (const dir of new Bun.Glob("**").scanSync({ cwd: stage, onlyFiles: false })) {
    if (statSync(join(stage, dir)).isDirectory()) chmodSync(join(stage, dir), 0o755);
  }
  chmodSync(stage, 0o755);
}

function control(info: BuildInfo, target: Target, installedKiB: number): string {
  return `Package: courier
Version: ${debianVersion(info.version)}
Architecture: ${target.arch}
Maintainer: Courier maintainers <courier@users.noreply.github.com>
Installed-Size: ${installedKiB}
Depends: libc6, passwd
Section: admin
Priority: optional
Description: replicate Vault KV secrets and ACL policies by the audit stream
 Courier keeps destination HashiCorp Vault or OpenBao servers equal to a source
 for KV secrets (v1 and v2) and ACL policies. It listens to the source's audit
 stream, works out which key changed and syncs that key; full passes repair
 anything the stream missed.
 .
 Run \`courier setup\` before starting courier.service. A Grafana dashboard and
 Prometheus alert rules are in /usr/share/courier/.
`;
}

// The user stays when the package goes (files it owns may outlive the package, and a reused uid
// would hand them to someone else), as Debian's own daemons do.
const POSTINST = `#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent group courier >/dev/null; then
    groupadd --system courier
  fi
  if ! getent passwd courier >/dev/null; then
    useradd --system --gid courier --home-dir /var/lib/courier --no-create-home \\
      --shell /usr/sbin/nologin --comment "Courier Vault replication" courier
  fi
  install -d -o courier -g courier -m 0750 /var/lib/courier
  # Nothing is started or enabled: the service needs /etc/courier/courier.yaml, which
  # \`courier setup --write-config\` writes. Only make systemd see the new unit.
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null || true
  fi
fi
exit 0
`;

const PRERM = `#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop courier.service >/dev/null 2>&1 || true
fi
exit 0
`;

const POSTRM = `#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null || true
fi
exit 0
`;
