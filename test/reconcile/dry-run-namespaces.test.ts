// `courier sync --dry-run` into a destination that lacks a namespace: it plans the namespace
// (each missing level, parents first, once) before the mount, as the real sync makes them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { passSetup, runSyncPass } from "../../src/reconcile/one-shot.ts";
import { captureLogs } from "../support/log-capture.ts";
import { mountKv, ok, startVault, type Vault } from "../sync/vault-fixture.ts";

let source: Vault;
let east: Vault;

beforeAll(async () => {
  [source, east] = await Promise.all([startVault(), startVault()]);
  await ok(source.api("POST", "sys/namespaces/team1", {}));
  await ok(source.api("POST", "sys/namespaces/sub", {}, "team1/"));
  await mountKv([source], "kv", 2, "team1/sub/");
  for (const name of ["a", "b"])
    await ok(source.api("POST", `kv/data/${name}`, { data: { v: name } }, "team1/sub/"));
});
afterAll(async () => {
  await Promise.all([source, east].map((v) => v?.stop()));
});

async function dryRun(flags: string[] = []) {
  const { config } = await loadConfig({
    env: {},
    argv: [
      `--vault.source.address=${source.address}`,
      "--vault.source.token=root",
      `--vault.destinations.addresses=${east.address}`,
      "--vault.destinations.tokens=root",
      ...flags,
    ],
  });
  const setup = passSetup(config);
  const printed: string[] = [];
  const logs = captureLogs();
  try {
    const summary = await runSyncPass(setup, { dryRun: true, log: logs.log, print: (l) => printed.push(l) });
    return { summary, printed: printed.map((l) => JSON.parse(l)), logs };
  } finally {
    setup.close();
  }
}

describe("a dry run into a destination without the key's namespace", () => {
  test("plans each missing level, parents first, once, then the mount and the writes; makes nothing", async () => {
    const { summary, printed } = await dryRun(["--sync.policies=false"]);
    const line = (action: string, namespace: string, mount: string, path: string) => ({
      destination: east.address,
      action,
      kind: "kv",
      namespace,
      mount,
      path,
    });
    expect(printed).toEqual([
      line("create-namespace", "team1/", "", ""),
      line("create-namespace", "team1/sub/", "", ""),
      line("create-mount", "team1/sub/", "kv/", ""),
      line("write", "team1/sub/", "kv/", "a"),
      line("write", "team1/sub/", "kv/", "b"),
    ]);
    expect(summary).toMatchObject({ keys: 2, changed: 2, changes: 5, failed: 0 });
    expect((await east.api("GET", "sys/namespaces/team1")).status).toBe(404);
  });

  test("with sync.create_mounts off, the missing namespace is a failure named in the log", async () => {
    const { summary, printed, logs } = await dryRun(["--sync.policies=false", "--sync.create_mounts=false"]);
    expect(printed).toEqual([]);
    expect(summary.failed).toBe(2);
    expect(logs.text()).toContain("namespace team1/ does not exist");
  });

  test("plans the namespace before a policy in it, too", async () => {
    const { printed } = await dryRun();
    const team1 = printed.filter((c) => c.namespace === "team1/").map((c) => [c.action, c.kind, c.path]);
    expect(team1).toEqual([
      ["create-namespace", "policy", ""],
      ["write", "policy", "default"],
    ]);
  });
});
