import { afterAll, describe, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureAuditDevices, sandboxAuditDevices, toBaoConfig } from "../../scripts/sandbox/audit-devices.ts";
import {
  chooseServer,
  describeServer,
  type ServerFinders,
  serverCommand,
} from "../../scripts/sandbox/servers.ts";
import { vaultCall } from "../../scripts/sandbox/vault-http.ts";
import { startVaultDouble } from "../support/vault-double/index.ts";

const DEV_FLAGS = [
  "server",
  "-dev",
  "-dev-root-token-id=root",
  "-dev-listen-address=127.0.0.1:8202",
  "-dev-no-store-token",
];

describe("which servers the sandbox runs", () => {
  const finders = (bao: boolean, onPath: string[]): ServerFinders => ({
    bao: async () =>
      bao
        ? { ok: true, path: "/cache/bao", version: "2.7.2", source: "cache" }
        : { ok: false, reason: "no python3 with pip to fetch it" },
    which: (name) => (onPath.includes(name) ? `/usr/bin/${name}` : null),
  });

  test.each([
    ["OpenBao when a bao can be had, even with vault installed", true, ["vault"], false, "bao /cache/bao"],
    ["vault when no bao can be had but vault is on PATH", false, ["vault"], false, "vault /usr/bin/vault"],
    ["the double when neither can be had", false, [], false, `double ${process.execPath}`],
    ["the double when asked for, whatever is installed", true, ["vault"], true, `double ${process.execPath}`],
  ] as const)("%s", async (_name, bao, onPath, forceDouble, expected) => {
    const choice = await chooseServer(forceDouble, finders(bao, [...onPath]));
    expect(`${choice.kind} ${choice.binary}`).toBe(expected);
  });

  test.each([
    [true, [], false, "OpenBao dev servers (OpenBao 2.7.2 from cache)"],
    [false, ["vault"], false, "vault dev servers (no OpenBao: no python3 with pip to fetch it)"],
    [false, [], false, "Vault doubles (no OpenBao: no python3 with pip to fetch it)"],
    [true, [], true, "Vault doubles (--double)"],
  ] as const)(
    "with bao %p and %p on PATH (forced: %p) the header says %p",
    async (bao, onPath, forced, text) => {
      const choice = await chooseServer(forced, finders(bao, [...onPath]));
      expect(describeServer(choice, forced)).toBe(text);
    },
  );

  test.each([
    ["vault", { kind: "vault", binary: "/usr/bin/vault" }, undefined, ["/usr/bin/vault", ...DEV_FLAGS]],
    [
      "bao, with the audit devices' config file",
      { kind: "bao", binary: "/usr/bin/bao" },
      "/tmp/s/source-audit.hcl",
      ["/usr/bin/bao", ...DEV_FLAGS, "-config=/tmp/s/source-audit.hcl"],
    ],
    [
      "the double, through scripts/dev-vault.ts with the same flags",
      { kind: "double", binary: "/bin/bun" },
      undefined,
      ["/bin/bun", join(import.meta.dir, "..", "..", "scripts", "dev-vault.ts"), ...DEV_FLAGS],
    ],
  ] as const)("the command line of %s", (_name, choice, configFile, command) => {
    expect(serverCommand(choice, 8202, configFile)).toEqual([...command]);
  });
});

describe("the source's audit devices", () => {
  const dir = mkdtempSync(join(tmpdir(), "sandbox-audit-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("for OpenBao they are declarative audit blocks: type and path as labels, options as a block", () => {
    expect(toBaoConfig(sandboxAuditDevices(1269, "/tmp/s/source-audit.log"))).toBe(
      [
        'audit "file" "file" {',
        '  description = "second device: keeps the source writable whatever the socket does"',
        "  options {",
        '    file_path = "/tmp/s/source-audit.log"',
        "  }",
        "}",
        'audit "socket" "courier" {',
        '  description = "Courier audit device"',
        "  options {",
        '    address              = "127.0.0.1:1269"',
        '    elide_list_responses = "true"',
        '    socket_type          = "udp"',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("over the API, the missing ones are enabled once and the socket device sends each entry over UDP", async () => {
    const received: string[] = [];
    const socket = createSocket("udp4");
    socket.on("message", (message) => received.push(message.toString()));
    await new Promise<void>((resolve) => socket.bind({ address: "127.0.0.1", port: 0 }, resolve));
    const vault = await startVaultDouble();
    try {
      const devices = sandboxAuditDevices(socket.address().port, join(dir, "audit.log"));
      expect(await ensureAuditDevices(vault.address, devices)).toEqual(["file", "courier"]);
      expect(await ensureAuditDevices(vault.address, devices)).toEqual([]);

      await vaultCall(vault.address, "POST", "secret/data/app/db", { data: { a: "1" } });
      await Bun.sleep(50);
      const paths = received.map(
        (line) => (JSON.parse(line) as { request?: { path?: string } }).request?.path,
      );
      expect(paths).toContain("secret/data/app/db");
      expect(await Bun.file(join(dir, "audit.log")).text()).toContain('"path":"secret/data/app/db"');
    } finally {
      await vault.stop();
      socket.close();
    }
  });
});
