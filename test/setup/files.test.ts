// The files setup writes. --write-config: the effective configuration as a file that loads back
// to the same settings, with every token in a 0600 file of its own and none in the config. The
// systemd unit: what it says, that the shipped file is what setup writes, and that systemd itself
// accepts it (systemd-analyze verify, where that tool is installed).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { CourierError } from "../../src/errors.ts";
import {
  compiledBinary,
  escapeArgument,
  installUnit,
  renderUnit,
  SHIPPED_UNIT,
  SHIPPED_UNIT_FILE,
  writeConfig,
} from "../../src/setup/files.ts";
import { Journal } from "../../src/setup/journal.ts";
import { captured } from "./helpers.ts";

const SOURCE_TOKEN = "hvs.source-inline-token-0001";
const DESTINATION_TOKEN = "hvs.destination-inline-token-0002";

async function effective(argv: string[], env: Record<string, string> = {}) {
  return (await loadConfig({ argv, env, needs: { source: true, destinations: true } })).config;
}

const FLAGS = [
  "--vault.source.address=https://127.0.0.1:8201",
  "--vault.destinations.addresses=https://127.0.0.1:8202,https://127.0.0.1:8203",
  `--vault.destinations.tokens=${DESTINATION_TOKEN}`,
  "--sync.mounts=secret/,team/kv/",
  "--sync.interval=5m",
  "--vault.audit_address=tcp://127.0.0.1:1300",
];

describe("--write-config", () => {
  let configDir: string;
  beforeEach(() => {
    configDir = mkdtempSync(join(tmpdir(), "courier-write-config-"));
  });
  afterEach(() => rmSync(configDir, { recursive: true, force: true }));

  test("loads back through the config loader to the same configuration, and holds no token", async () => {
    const config = await effective(FLAGS, { VAULT_TOKEN: SOURCE_TOKEN });
    const io = captured();
    const file = join(configDir, "courier.yaml");
    expect(writeConfig(config, file, new Journal(false, io.output))).toBe(file);

    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(SOURCE_TOKEN);
    expect(text).not.toContain(DESTINATION_TOKEN);
    expect(text).toStartWith("# Courier configuration, written by `courier setup --write-config`.\n");

    const reloaded = await effective([`--config=${file}`]);
    expect(reloaded.vault.source.token).toBe(SOURCE_TOKEN);
    expect(reloaded.vault.destinations.list.map((d) => d.token)).toEqual([
      DESTINATION_TOKEN,
      DESTINATION_TOKEN,
    ]);
    const withoutFiles = (c: typeof config) => {
      const copy = structuredClone(c);
      for (const target of [copy.vault.source, ...copy.vault.destinations.list]) target.token_file = "";
      // The file says every destination in the list form: the flag-friendly lists stay empty.
      copy.vault.destinations.tokens = [];
      copy.vault.destinations.addresses = [];
      return copy;
    };
    expect(withoutFiles(reloaded)).toEqual(withoutFiles(config));
  });

  test("an inline token goes to a 0600 file beside the config, which names it", async () => {
    const config = await effective(FLAGS, { VAULT_TOKEN: SOURCE_TOKEN });
    const io = captured();
    writeConfig(config, join(configDir, "courier.yaml"), new Journal(false, io.output));
    const sourceFile = join(configDir, "courier-source.token");
    expect(readFileSync(sourceFile, "utf8")).toBe(`${SOURCE_TOKEN}\n`);
    expect(statSync(sourceFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(configDir, "courier-destination-2.token"), "utf8")).toBe(
      `${DESTINATION_TOKEN}\n`,
    );
    expect(readFileSync(join(configDir, "courier.yaml"), "utf8")).toContain(
      `token_file: ${JSON.stringify(sourceFile)}`,
    );
    expect(io.out().split("\n")).toEqual([
      `wrote ${sourceFile}`,
      `wrote ${join(configDir, "courier-destination-1.token")}`,
      `wrote ${join(configDir, "courier-destination-2.token")}`,
      `wrote ${join(configDir, "courier.yaml")}`,
      "",
    ]);
  });

  test("a token read from a file stays there: the config names that file, and no other is written", async () => {
    const own = join(configDir, "own.token");
    writeFileSync(own, `${SOURCE_TOKEN}\n`, { mode: 0o600 });
    const config = await effective([...FLAGS, `--vault.source.token-file=${own}`]);
    writeConfig(config, join(configDir, "courier.yaml"), new Journal(false, captured().output));
    expect(existsSync(join(configDir, "courier-source.token"))).toBe(false);
    expect(readFileSync(join(configDir, "courier.yaml"), "utf8")).toContain(
      `token_file: ${JSON.stringify(own)}`,
    );
  });

  test("a second write of the same configuration changes nothing and says so", async () => {
    const config = await effective(FLAGS, { VAULT_TOKEN: SOURCE_TOKEN });
    const file = join(configDir, "courier.yaml");
    writeConfig(config, file, new Journal(false, captured().output));
    const io = captured();
    writeConfig(config, file, new Journal(false, io.output));
    expect(io.out()).toContain(`${file} is up to date`);
  });

  test("in a dry run, names the files and writes none", async () => {
    const config = await effective(FLAGS, { VAULT_TOKEN: SOURCE_TOKEN });
    const io = captured();
    writeConfig(config, join(configDir, "courier.yaml"), new Journal(true, io.output));
    expect(io.out()).toContain(`would write ${join(configDir, "courier-source.token")} (mode 0600)`);
    expect(io.out()).toContain(`would write ${join(configDir, "courier.yaml")} (mode 0644)`);
    expect(existsSync(join(configDir, "courier.yaml"))).toBe(false);
    expect(existsSync(join(configDir, "courier-source.token"))).toBe(false);
  });
});

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "courier-unit-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (text: string) => text.split("\n");

describe("the unit", () => {
  const unit = lines(
    renderUnit({ binary: "/opt/courier/bin/courier", configFile: "/etc/courier/courier.yaml" }),
  );

  test.each([
    "ExecStart=/opt/courier/bin/courier run --config /etc/courier/courier.yaml",
    "Restart=on-failure",
    "User=courier",
    "DynamicUser=yes",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "StateDirectory=courier",
    "ReadOnlyPaths=/etc/courier/courier.yaml",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectKernelLogs=yes",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    "CapabilityBoundingSet=",
    "LimitNOFILE=65536",
    "WantedBy=multi-user.target",
  ])("has %s", (line) => {
    expect(unit).toContain(line);
  });

  test("keeps [Unit], [Service] and [Install] in that order", () => {
    const sections = unit.filter((line) => line.startsWith("["));
    expect(sections).toEqual(["[Unit]", "[Service]", "[Install]"]);
  });

  test("a unix socket outside /run/courier gets its folder made writable; one inside needs nothing", () => {
    const outside = renderUnit({ ...SHIPPED_UNIT, unixSocket: "/var/lib/vault/courier.sock" });
    expect(lines(outside)).toContain("ReadWritePaths=/var/lib/vault");
    const inside = renderUnit({ ...SHIPPED_UNIT, unixSocket: "/run/courier/audit.sock" });
    expect(inside).not.toContain("ReadWritePaths=");
  });

  test.each([
    ["/usr/local/bin/courier", "/usr/local/bin/courier"],
    ["/opt/my courier/courier", '"/opt/my courier/courier"'],
    ["/opt/100%/courier", "/opt/100%%/courier"],
  ])("ExecStart takes %s as %s", (word, expected) => {
    expect(escapeArgument(word)).toBe(expected);
  });

  test("scripts/courier.service is what the function writes (regenerate: bun src/setup/files.ts)", () => {
    expect(readFileSync(SHIPPED_UNIT_FILE, "utf8")).toBe(renderUnit(SHIPPED_UNIT));
  });
});

describe("systemd-analyze verify", () => {
  const tool = Bun.which("systemd-analyze");
  if (!tool) console.warn("systemd-analyze is not installed here: the unit is not checked by systemd itself");

  test.skipIf(!tool)("accepts the unit setup writes, with a path that needs quoting", () => {
    const binary = join(dir, "bin dir", "courier");
    mkdirSync(join(dir, "bin dir"), { recursive: true });
    writeFileSync(binary, "#!/bin/sh\n");
    chmodSync(binary, 0o755);
    const unit = join(dir, "courier.service");
    writeFileSync(
      unit,
      renderUnit({ binary, configFile: join(dir, "courier.yaml"), unixSocket: "/var/lib/vault/a.sock" }),
    );
    const run = Bun.spawnSync([tool as string, "verify", "--man=no", unit], {
      stderr: "pipe",
      stdout: "pipe",
    });
    expect({ code: run.exitCode, stderr: run.stderr.toString() }).toMatchObject({ code: 0 });
  });
});

describe("installing the unit", () => {
  test("writes it where asked, and prints how to start it rather than starting it", () => {
    const io = captured();
    const path = join(dir, "systemd", "courier.service");
    installUnit(
      { binary: "/usr/local/bin/courier", configFile: "/etc/courier/courier.yaml" },
      path,
      new Journal(false, io.output),
    );
    expect(readFileSync(path, "utf8")).toBe(renderUnit(SHIPPED_UNIT));
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(io.out()).toBe(
      `wrote ${path}\nnext: link it into systemd (systemctl link ${path}), then systemctl daemon-reload && systemctl enable --now courier\n`,
    );
  });

  test("in a dry run, only names the file; systemd's own folder needs no link", () => {
    const io = captured();
    const path = "/etc/systemd/system/courier.service";
    const before = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    installUnit(SHIPPED_UNIT, path, new Journal(true, io.output));
    expect(io.out().split("\n").slice(1)).toEqual([
      `would write ${path} (mode 0644)`,
      "next: systemctl daemon-reload && systemctl enable --now courier",
      "",
    ]);
    expect(existsSync(path) ? readFileSync(path, "utf8") : undefined).toBe(before);
  });
});

describe("the binary a unit runs", () => {
  test("is this executable when it is the compiled courier", () => {
    expect(compiledBinary("/$bunfs/root/courier", "/usr/local/bin/courier")).toBe("/usr/local/bin/courier");
  });

  test("is refused from source, with how to build one", () => {
    expect(() => compiledBinary("/work/courier/src/main.ts", "/usr/bin/bun")).toThrow(CourierError);
    expect(() => compiledBinary("/work/courier/src/main.ts", "/usr/bin/bun")).toThrow(
      "--systemd needs the compiled courier binary, and this courier runs from source (/work/courier/src/main.ts): build it with `bun run build` and run dist/courier setup --systemd",
    );
  });
});
