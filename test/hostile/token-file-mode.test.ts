// A token file others can read is a token others can use: every command that reads one says so,
// naming the file and never what is in it. Checked through real processes, as an operator sees it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { courier, spawnCourier } from "../support/courier-process.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

let source: VaultDouble;
let destination: VaultDouble;
let dir: string;

beforeAll(async () => {
  [source, destination] = await Promise.all([
    startVaultDouble({ rootToken: "source-root-token-in-a-file" }),
    startVaultDouble({ rootToken: "destination-root-token-in-a-file" }),
  ]);
  dir = mkdtempSync(join(tmpdir(), "courier-modes-"));
});

afterAll(async () => {
  await Promise.all([source.stop(), destination.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

function tokenFile(name: string, token: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, `${token}\n`);
  chmodSync(path, mode);
  return path;
}

const warning = (path: string, mode: string) =>
  `secret file ${path} is readable by group or others (mode ${mode}): chmod 600 ${path}`;

test("diff warns about a world-readable source token file, and only that one", async () => {
  const open = tokenFile("open.token", source.rootToken, 0o644);
  const closed = tokenFile("closed.token", destination.rootToken, 0o600);
  const r = await courier([
    "diff",
    `--vault.source.address=${source.address}`,
    `--vault.source.token_file=${open}`,
    `--vault.destinations.addresses=${destination.address}`,
    `--vault.destinations.token_files=${closed}`,
  ]);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain(warning(open, "0644"));
  expect(r.stderr).not.toContain(closed);
  expect(r.stdout + r.stderr).not.toContain(source.rootToken);
});

test("run warns about a group-readable destination token file in its log, naming the file", async () => {
  const closed = tokenFile("source.token", source.rootToken, 0o600);
  const group = tokenFile("group.token", destination.rootToken, 0o640);
  const run = spawnCourier([
    `--vault.source.address=${source.address}`,
    `--vault.source.token_file=${closed}`,
    `--vault.destinations.addresses=${destination.address}`,
    `--vault.destinations.token_files=${group}`,
    "--vault.audit_address=udp://127.0.0.1:0",
  ]);
  const logged = await run.waitFor((r) => r.level === "warn" && r.msg.includes(group), "the warning");
  expect(logged.msg).toBe(warning(group, "0640"));
  await run.waitForLog("listening for audit entries");
  expect(await run.stop()).toBe(0);
  expect(run.stderr()).not.toContain(destination.rootToken);
  const warned = run
    .logs()
    .filter((r) => r.level === "warn")
    .map((r) => r.msg);
  expect(warned.filter((msg) => msg.includes(closed))).toEqual([]);
});
