import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { debianVersion, debName, hasDebianPackage, packagedUnit } from "../../scripts/build/debian.ts";
import { findTarget, TARGETS } from "../../scripts/build/targets.ts";

describe("the Debian package's name and version", () => {
  test.each([
    ["0.1.0", "0.1.0"],
    ["1.2.0-rc.1", "1.2.0~rc.1"],
    ["2.0.0-beta-2", "2.0.0~beta-2"],
  ])("package.json version %p is Debian version %p, so a prerelease sorts before its release", (v, d) => {
    expect(debianVersion(v)).toBe(d);
  });

  test("only the glibc Linux targets get one, named by Debian's architecture", () => {
    expect(TARGETS.filter(hasDebianPackage).map((t) => debName("0.1.0", t))).toEqual([
      "courier_0.1.0_amd64.deb",
      "courier_0.1.0_arm64.deb",
    ]);
    expect(hasDebianPackage(findTarget("linux-x64-musl")!)).toBe(false);
  });
});

describe("the packaged unit", () => {
  const unit = readFileSync(join(import.meta.dir, "..", "..", "scripts", "courier.service"), "utf8");
  const packaged = packagedUnit(unit);

  test("runs the packaged /usr/bin/courier with the same arguments", () => {
    expect(packaged).toMatch(/^ExecStart=\/usr\/bin\/courier run --config \/etc\/courier\/courier\.yaml$/m);
    expect(packaged).not.toContain("/usr/local/bin");
  });

  test("differs from the unit courier setup writes only in that line and the header", () => {
    const changed = packaged.split("\n").filter((line, i) => line !== unit.split("\n")[i]);
    expect(changed).toEqual([
      "# Installed by the courier package.",
      "ExecStart=/usr/bin/courier run --config /etc/courier/courier.yaml",
    ]);
  });
});
