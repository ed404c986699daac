// courier setup as a real process: what it prints, its exit codes, and the unit and config it
// writes, from source and as the compiled binary.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { ensureBinary } from "../support/binary.ts";
import { courier } from "../support/courier-process.ts";
import { runToEnd } from "../support/process.ts";
import { startTestVault, type TestVault, udpListener, vaultFlags } from "./helpers.ts";

let source: TestVault;
let destination: TestVault;
let listener: Awaited<ReturnType<typeof udpListener>>;
let dir: string;
let flags: string[];

beforeAll(async () => {
  source = await startTestVault("hvs.cli-source-root");
  destination = await startTestVault("hvs.cli-destination-root");
  listener = await udpListener();
  dir = mkdtempSync(join(tmpdir(), "courier-setup-cli-"));
  expect((await source.api("POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } })).status).toBe(
    204,
  );
  flags = [...vaultFlags(source, destination), `--vault.audit_address=127.0.0.1:${listener.port}`];
});

afterAll(async () => {
  listener.close();
  await source.double.stop();
  await destination.double.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function auditDevices(): Promise<string[]> {
  return Object.keys((await source.api("GET", "sys/audit")).body.data).sort();
}

describe("courier setup policy", () => {
  test("without a source token, takes the named mounts as KV v2 and says so", async () => {
    const run = await courier(["setup", "policy", "--sync.mounts=secret/"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toStartWith(
      "# KV versions were not read from the source (no token for it): every mount is taken as KV v2\n\n# courier-source:",
    );
    expect(run.stdout).toContain('path "secret/metadata/*" {\n  capabilities = ["read", "list"]\n}');
    expect(run.stdout).toContain("# courier-destination:");
    expect(run.stdout).toContain('path "sys/audit/courier" {\n  capabilities = ["update", "sudo"]\n}');
  });

  test("with a source token, reads each mount's KV version from the source", async () => {
    const run = await courier(["setup", "policy", ...flags, "--for", "source"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('path "kv1/*" {\n  capabilities = ["read", "list"]\n}');
    expect(run.stdout).toContain('path "secret/data/*" {\n  capabilities = ["read"]\n}');
    expect(run.stdout).not.toContain("courier-destination");
    expect(run.stdout).not.toContain(source.double.rootToken);
  });

  test("--for takes only source, destination or setup", async () => {
    const run = await courier(["setup", "policy", "--sync.mounts=secret/", "--for=everyone"]);
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: 'courier: --for must be one of source, destination, setup, got "everyone"\n',
    });
  });

  test("with neither named mounts nor a source token, says what to give", async () => {
    const run = await courier(["setup", "policy"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("name the mounts with --sync.mounts, or give a source token");
  });
});

describe("courier setup", () => {
  test("a token missing a right: exit 7, one line for it on stderr, nothing enabled", async () => {
    const token = await source.tokenWith(
      'path "sys/mounts" { capabilities = ["read"] }\npath "secret/*" { capabilities = ["read", "list"] }\npath "kv1/*" { capabilities = ["read", "list"] }\npath "sys/policies/acl/*" { capabilities = ["read", "list"] }\npath "sys/audit*" { capabilities = ["read", "update"] }',
    );
    const run = await courier(["setup", ...vaultFlags(source, destination, { source: token })]);
    expect(run.code).toBe(7);
    expect(run.stdout).toContain(`source ${source.address}: reachable (active), token policies [default, `);
    expect(run.stderr.split("\n")).toEqual([
      `courier: source ${source.address} lacks "sudo" on sys/audit: path "sys/audit" { capabilities = ["sudo"] }`,
      `courier: source ${source.address} lacks "sudo" on sys/audit/courier: path "sys/audit/courier" { capabilities = ["sudo"] }`,
      "courier: setup stopped after the preflight (2 problems); `courier setup policy` prints the policies Courier's tokens need",
      "",
    ]);
    expect(run.stderr).not.toContain(token);
    expect(await auditDevices()).toEqual([]);
  });

  test("--dry-run lists the calls and files, and changes nothing", async () => {
    const config = join(dir, "dry", "courier.yaml");
    const run = await courier(["setup", ...flags, "--dry-run", `--write-config=${config}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`would send PUT ${source.address}/v1/sys/audit/courier `);
    expect(run.stdout).toContain(`would write ${config} (mode 0644)`);
    expect(existsSync(join(dir, "dry"))).toBe(false);
    expect(await auditDevices()).toEqual([]);
  });

  test("--systemd from source stops before touching anything, saying how to get the binary", async () => {
    const run = await courier([
      "setup",
      ...flags,
      "--systemd",
      `--write-config=${join(dir, "src", "courier.yaml")}`,
    ]);
    expect(run.code).toBe(7);
    expect(run.stderr).toStartWith("courier: --systemd needs the compiled courier binary");
    expect(existsSync(join(dir, "src"))).toBe(false);
    expect(await auditDevices()).toEqual([]);
  });
});

describe("the compiled courier setup --write-config --systemd", () => {
  let binary: string;
  beforeAll(async () => {
    binary = join(dir, "courier");
    copyFileSync(await ensureBinary(), binary);
  }, 180_000);

  test("enables the device, writes the config and a unit that runs this binary with it; a rerun changes nothing", async () => {
    const config = join(dir, "etc", "courier.yaml");
    const unit = join(dir, "systemd", "courier.service");
    const args = ["setup", ...flags, `--write-config=${config}`, "--systemd", `--unit-path=${unit}`];
    const { code, stdout, stderr } = await runBinary(args);
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toContain(`enabled audit device courier/ (socket, udp to 127.0.0.1:${listener.port})`);
    expect(stdout).toContain(`wrote ${config}\n`);
    expect(stdout).toContain(`wrote ${unit}\n`);
    expect(await auditDevices()).toEqual(["courier/"]);

    const text = readFileSync(unit, "utf8");
    expect(text).toContain(`\nExecStart=${binary} run --config ${config}\n`);
    expect(text).toContain(`\nReadOnlyPaths=${config}\n`);
    const tool = Bun.which("systemd-analyze");
    if (tool) expect(Bun.spawnSync([tool, "verify", "--man=no", unit]).exitCode).toBe(0); // touches no Vault

    const written = readFileSync(config, "utf8");
    expect(written).not.toContain(source.double.rootToken);
    expect(written).not.toContain(destination.double.rootToken);
    const reloaded = await loadConfig({ argv: [`--config=${config}`], env: {} });
    expect(reloaded.config.vault.source.token).toBe(source.double.rootToken);

    const again = await runBinary(args);
    expect(again.code).toBe(0);
    const out = again.stdout;
    expect(out).toContain("audit device courier/ is already enabled with these options: nothing to do");
    expect(out).toContain(`${config} is up to date`);
    expect(out).toContain(`${unit} is up to date`);
  }, 30_000);

  /** The binary as a child process; async, so this process's Vault doubles keep answering it. */
  function runBinary(args: string[]) {
    return runToEnd([binary, ...args], { env: { PATH: process.env.PATH ?? "" } });
  }
});
