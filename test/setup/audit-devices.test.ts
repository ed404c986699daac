import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { CourierError } from "../../src/errors.ts";
import {
  type DeviceSpec,
  deviceDifferences,
  dialAddress,
  fileDevice,
  isApiAuditRefusal,
  serverConfigBlock,
  socketDevice,
} from "../../src/setup/audit-devices.ts";

async function configWith(argv: string[]) {
  return (await loadConfig({ argv, env: {} })).config;
}

const UDP: DeviceSpec = {
  path: "courier",
  type: "socket",
  description: "Courier audit device",
  options: { address: "127.0.0.1:1269", socket_type: "udp", elide_list_responses: "true" },
};

describe("the device for vault.audit_address", () => {
  test.each([
    ["127.0.0.1:1269", { address: "127.0.0.1:1269", socket_type: "udp" }],
    ["udp://127.0.0.1:9000", { address: "127.0.0.1:9000", socket_type: "udp" }],
    ["tcp://127.0.0.1:9000", { address: "127.0.0.1:9000", socket_type: "tcp" }],
    ["tcp://[::1]:9000", { address: "[::1]:9000", socket_type: "tcp" }],
    ["udp://0.0.0.0:1269", { address: "127.0.0.1:1269", socket_type: "udp" }],
    ["unix:///run/courier/audit.sock", { address: "/run/courier/audit.sock", socket_type: "unix" }],
  ])("%s → options %o, list responses elided", async (address, options) => {
    const device = socketDevice(await configWith([`--vault.audit_address=${address}`]));
    expect(device).toEqual({
      path: "courier",
      type: "socket",
      description: "Courier audit device",
      options: { ...options, elide_list_responses: "true" },
    });
  });

  test("path, description and prefix come from their settings", async () => {
    const config = await configWith([
      "--vault.audit_path=team/courier",
      "--vault.audit_description=to courier",
      "--audit.prefix=@cee:",
    ]);
    expect(socketDevice(config)).toEqual({
      path: "team/courier",
      type: "socket",
      description: "to courier",
      options: {
        address: "127.0.0.1:1269",
        socket_type: "udp",
        elide_list_responses: "true",
        prefix: "@cee:",
      },
    });
  });

  test("a file:// address needs no device: Courier tails the file", async () => {
    const config = await configWith(["--vault.audit_address=file:///var/log/vault/audit.log"]);
    expect(socketDevice(config)).toEqual({ tails: "/var/log/vault/audit.log" });
  });

  test("port 0 is refused: Vault needs a port that stays the same", async () => {
    const config = await configWith(["--vault.audit_address=tcp://127.0.0.1:0"]);
    expect(() => socketDevice(config)).toThrow(CourierError);
    expect(() => socketDevice(config)).toThrow(/port 0/);
  });

  test("--file-audit adds a file device at <audit_path>-file", async () => {
    const config = await configWith([]);
    expect(fileDevice(config, "/var/log/vault/audit.log")).toMatchObject({
      path: "courier-file",
      type: "file",
      options: { file_path: "/var/log/vault/audit.log" },
    });
  });

  test.each([
    ["0.0.0.0", 1269, "127.0.0.1:1269"],
    ["::", 1269, "[::1]:1269"],
    ["::1", 80, "[::1]:80"],
    ["vault.internal", 1269, "vault.internal:1269"],
  ])("Vault dials %s:%d as %s", (host, port, expected) => {
    expect(dialAddress(host, port)).toBe(expected);
  });
});

describe("comparing an enabled device with the wanted one", () => {
  test.each([
    [
      "the same options",
      {
        type: "socket",
        options: { address: "127.0.0.1:1269", socket_type: "udp", elide_list_responses: "true" },
      },
      [],
    ],
    [
      "a device an older setup enabled, which writes every key of a LIST",
      { type: "socket", options: { address: "127.0.0.1:1269", socket_type: "udp" } },
      ['elide_list_responses is "false", not "true"'],
    ],
    [
      "defaults spelled out count as the same",
      {
        type: "socket",
        description: "someone else's words",
        options: {
          address: "127.0.0.1:1269",
          socket_type: "udp",
          elide_list_responses: "true",
          format: "json",
          hmac_accessor: "true",
          log_raw: "false",
        },
      },
      [],
    ],
    [
      "another address and type",
      { type: "socket", options: { address: "127.0.0.1:9999" } },
      [
        'address is "127.0.0.1:9999", not "127.0.0.1:1269"',
        'elide_list_responses is "false", not "true"',
        'socket_type is "tcp", not "udp"',
      ],
    ],
    [
      "an option Courier does not set",
      {
        type: "socket",
        options: {
          address: "127.0.0.1:1269",
          socket_type: "udp",
          elide_list_responses: "true",
          log_raw: "true",
        },
      },
      ['log_raw is "true", not "false"'],
    ],
    [
      "another type of device",
      { type: "file", options: { file_path: "/tmp/a" } },
      ["it is a file device, not socket"],
    ],
  ])("%s", (_, existing, expected) => {
    expect(deviceDifferences(existing, UDP)).toEqual(expected);
  });

  test("a file device's older path option counts as file_path", () => {
    const wanted: DeviceSpec = {
      path: "courier-file",
      type: "file",
      description: "",
      options: { file_path: "/a" },
    };
    expect(deviceDifferences({ type: "file", options: { path: "/a" } }, wanted)).toEqual([]);
  });
});

describe("OpenBao's refusal to create audit devices through the API", () => {
  const refusal =
    "cannot enable audit device via API; use declarative, config-based audit device management instead";

  test.each([
    ["OpenBao's answer", 400, { errors: [refusal] }, true],
    ["another 400", 400, { errors: ["path already in use"] }, false],
    ["a 403", 403, { errors: ["permission denied"] }, false],
  ])("%s", (_, status, body, expected) => {
    expect(isApiAuditRefusal({ status, body })).toBe(expected);
  });

  test("the server-config block to add instead has two labels, type then path, and elides list responses", async () => {
    const device = socketDevice(await configWith([]));
    if ("tails" in device) throw new Error("a socket address needs a socket device");
    expect(serverConfigBlock(device)).toBe(
      [
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
});
