// Installing a .deb the two ways a test can without touching the machine: unpacked with `dpkg -x`
// into a scratch root (anyone), or really installed with `dpkg -i` inside a throwaway copy of this
// machine's root (root only): an overlay over / in a mount namespace of its own, chrooted into, so
// postinst's useradd and every file land in the overlay's upper folder and vanish with it.
import { cpSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { run } from "./fixture.ts";

/** Why a real `dpkg -i` cannot run here, or undefined when it can. */
export function whyNoThrowawayInstall(): string | undefined {
  if (process.getuid?.() !== 0) return "dpkg -i needs root";
  if (!Bun.which("dpkg") || !Bun.which("unshare") || !Bun.which("chroot")) {
    return "dpkg, unshare or chroot is not installed";
  }
  const probe = run(["unshare", "-m", "true"]);
  return probe.exitCode === 0 ? undefined : "no mount namespace can be made here (unshare -m failed)";
}

/**
 * Runs `script` (sh) as root in a copy of this machine in which `deb` sits at /<its name>. What
 * the script printed and its exit code; the copy is gone afterwards.
 */
export function inThrowawayRoot(deb: string, script: string) {
  const dir = mkdtempSync(join(tmpdir(), "courier-deb-root-"));
  try {
    for (const part of ["upper", "work", "merged"]) mkdirSync(join(dir, part));
    // The package goes in through the upper folder: other mounts (such as /tmp) are not part of
    // an overlay over / and would be empty inside it.
    try {
      linkSync(deb, join(dir, "upper", basename(deb)));
    } catch {
      cpSync(deb, join(dir, "upper", basename(deb)));
    }
    const mount = `mount -t overlay overlay -o lowerdir=/,upperdir=${dir}/upper,workdir=${dir}/work ${dir}/merged`;
    return run(["unshare", "-m", "sh", "-c", `${mount} && chroot ${dir}/merged sh -c '${script}'`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `systemd-analyze verify` of a unit inside an unpacked package. The scratch root gets this
 * machine's targets beside the unit, which verify needs to load the unit's dependencies; the unit
 * and the binary it runs are the package's own. Undefined when systemd-analyze is not installed.
 */
export function verifyUnit(scratchRoot: string, unitPath: string) {
  if (!Bun.which("systemd-analyze")) return undefined;
  const units = join(scratchRoot, "lib", "systemd", "system");
  for (const name of readdirSync("/lib/systemd/system").filter((n) => n.endsWith(".target"))) {
    cpSync(join("/lib/systemd/system", name), join(units, name), { force: false, errorOnExist: false });
  }
  return run(["systemd-analyze", "verify", "--man=no", `--root=${scratchRoot}`, `/${unitPath}`]);
}
