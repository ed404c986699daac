import { describe, expect, test } from "bun:test";
import { shortFormat } from "../../scripts/build/file-check.ts";
import {
  archiveName,
  findTarget,
  hostTarget,
  TARGETS,
  type TargetName,
} from "../../scripts/build/targets.ts";

// What file(1) printed for binaries built for each target with the Bun these scripts use.
const FILE_SAYS: Record<TargetName, string> = {
  "linux-x64":
    "ELF 64-bit LSB executable, x86-64, version 1 (SYSV), dynamically linked, interpreter /lib64/ld-linux-x86-64.so.2, for GNU/Linux 3.2.0, BuildID[sha1]=b5188e4f53b53f3a346614bd78ba53f2ff234402, not stripped",
  "linux-arm64":
    "ELF 64-bit LSB executable, ARM aarch64, version 1 (SYSV), dynamically linked, interpreter /lib/ld-linux-aarch64.so.1, for GNU/Linux 3.7.0, BuildID[sha1]=5083bf9e0903d7ce4c7a6658994812133637cbdc, not stripped",
  "linux-x64-musl":
    "ELF 64-bit LSB executable, x86-64, version 1 (SYSV), dynamically linked, interpreter /lib/ld-musl-x86_64.so.1, BuildID[sha1]=85d6b60bfc76d39d42276dbc1e808b33d53efb1b, not stripped",
  "linux-arm64-musl":
    "ELF 64-bit LSB executable, ARM aarch64, version 1 (SYSV), dynamically linked, interpreter /lib/ld-musl-aarch64.so.1, BuildID[sha1]=8b7cb4bc4fd8bb85aff5cfc1e5c326afbcc1b0c4, not stripped",
  "darwin-x64":
    "Mach-O 64-bit x86_64 executable, flags:<NOUNDEFS|DYLDLINK|TWOLEVEL|BINDS_TO_WEAK|PIE|HAS_TLV_DESCRIPTORS>",
  "darwin-arm64":
    "Mach-O 64-bit arm64 executable, flags:<NOUNDEFS|DYLDLINK|TWOLEVEL|BINDS_TO_WEAK|PIE|HAS_TLV_DESCRIPTORS>",
  "windows-x64": "PE32+ executable (console) x86-64, for MS Windows, 13 sections",
};

describe("release targets", () => {
  test.each(TARGETS.map((t) => [t.name, t] as const))(
    "file(1)'s answer for %s matches it and no other target",
    (name) => {
      const matching = TARGETS.filter((t) => t.fileSignature.test(FILE_SAYS[name])).map((t) => t.name);
      expect(matching).toEqual([name]);
    },
  );

  test.each([
    ["linux-x64", "courier_1.2.3_linux_amd64.tar.gz", "@oven/bun-linux-x64", "courier"],
    ["linux-arm64", "courier_1.2.3_linux_arm64.tar.gz", "@oven/bun-linux-aarch64", "courier"],
    ["linux-x64-musl", "courier_1.2.3_linux-musl_amd64.tar.gz", "@oven/bun-linux-x64-musl", "courier"],
    ["linux-arm64-musl", "courier_1.2.3_linux-musl_arm64.tar.gz", "@oven/bun-linux-aarch64-musl", "courier"],
    ["darwin-x64", "courier_1.2.3_darwin_amd64.tar.gz", "@oven/bun-darwin-x64", "courier"],
    ["darwin-arm64", "courier_1.2.3_darwin_arm64.tar.gz", "@oven/bun-darwin-aarch64", "courier"],
    ["windows-x64", "courier_1.2.3_windows_amd64.tar.gz", "@oven/bun-windows-x64", "courier.exe"],
  ])("%s ships as %s, built on %s, holding %s", (name, archive, runtimePackage, binary) => {
    const target = findTarget(name)!;
    expect(archiveName("1.2.3", target)).toBe(archive);
    expect(target.runtimePackage).toBe(runtimePackage);
    expect(target.binary).toBe(binary);
  });

  test.each([
    ["linux-arm64", "linux-arm64"],
    ["bun-linux-arm64", "linux-arm64"],
    ["bun-darwin-x64", "darwin-x64"],
    ["freebsd-x64", "nothing"],
    ["linux", "nothing"],
  ])("the name %s finds %s", (name, found) => {
    expect(findTarget(name)?.name ?? "nothing").toBe(found);
  });

  test("this machine is one of the targets, with its own OS and CPU", () => {
    const host = hostTarget().name;
    const os = process.platform === "win32" ? "windows" : process.platform;
    expect(host.startsWith(`${os}-${process.arch}`)).toBe(true);
  });

  test.each([
    ["linux-x64", "ELF 64-bit LSB executable, x86-64, /lib64/ld-linux-x86-64.so.2"],
    ["linux-arm64-musl", "ELF 64-bit LSB executable, ARM aarch64, /lib/ld-musl-aarch64.so.1"],
    ["darwin-arm64", "Mach-O 64-bit arm64 executable"],
    ["windows-x64", "PE32+ executable (console) x86-64, for MS Windows"],
  ] as const)("the release table sums up %s's binary as %s", (name, short) => {
    expect(shortFormat(FILE_SAYS[name])).toBe(short);
  });
});
