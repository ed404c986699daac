// The one-shot pass in this process: what a dry run plans for each kind of difference, and how a
// real run reports what it could not make equal.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load.ts";
import { passSetup, runSyncPass } from "../../src/reconcile/one-shot.ts";
import { captureLogs } from "../support/log-capture.ts";
import { mountKv, ok, startVault, type Vault } from "../sync/vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  await mountKv([source, west], "team", 2);
  for (const vault of [source, east, west]) {
    await ok(vault.api("POST", "secret/data/soft", { data: { v: "1" } }));
    await ok(vault.api("POST", "secret/data/burnt", { data: { v: "1" } }));
  }
  await ok(source.api("DELETE", "secret/data/soft"));
  await ok(source.api("POST", "secret/destroy/burnt", { versions: [1] }));
  for (const path of ["a", "b", "c"])
    await ok(source.api("POST", `team/data/${path}`, { data: { p: path } }));
  for (const path of ["a", "b", "c"]) await ok(west.api("POST", `team/data/${path}`, { data: { p: path } }));
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

async function pass(options: { dryRun: boolean; flags?: string[] }) {
  const { config } = await loadConfig({
    env: {},
    argv: [
      `--vault.source.address=${source.address}`,
      "--vault.source.token=root",
      `--vault.destinations.addresses=${east.address},${west.address}`,
      "--vault.destinations.tokens=root",
      ...(options.flags ?? []),
    ],
  });
  const setup = passSetup(config);
  const printed: string[] = [];
  const logs = captureLogs();
  try {
    const summary = await runSyncPass(setup, {
      dryRun: options.dryRun,
      log: logs.log,
      print: (l) => printed.push(l),
    });
    return { summary, printed: printed.map((l) => JSON.parse(l)), logs };
  } finally {
    setup.close();
  }
}

const change = (destination: Vault, action: string, mount: string, path: string) => ({
  destination: destination.address,
  action,
  kind: "kv",
  namespace: "",
  mount,
  path,
});

describe("a dry run", () => {
  test("plans a soft delete, a destroy, and a missing mount made once before its keys", async () => {
    const { summary, printed } = await pass({ dryRun: true });
    expect(printed).toEqual([
      change(east, "destroy", "secret/", "burnt"),
      change(west, "destroy", "secret/", "burnt"),
      change(east, "soft-delete", "secret/", "soft"),
      change(west, "soft-delete", "secret/", "soft"),
      change(east, "create-mount", "team/", ""),
      change(east, "write", "team/", "a"),
      change(east, "write", "team/", "b"),
      change(east, "write", "team/", "c"),
    ]);
    expect(summary).toMatchObject({ keys: 6, changed: 5, changes: 8, skipped: 0, failed: 0 });
    expect((await east.api("GET", "sys/mounts")).body.data["team/"]).toBeUndefined();
  });

  test("with sync.deletes off, holds deletes back: nothing printed for them, each counted as skipped", async () => {
    const { summary, printed } = await pass({ dryRun: true, flags: ["--sync.deletes=false"] });
    expect(printed.map((c) => c.action)).toEqual(["create-mount", "write", "write", "write"]);
    expect(summary).toMatchObject({ skipped: 4, failed: 0 });
  });

  test("with sync.create_mounts off, a missing mount cannot be planned: a failure, named in the log", async () => {
    const { summary, printed, logs } = await pass({ dryRun: true, flags: ["--sync.create_mounts=false"] });
    expect(printed.some((c) => c.mount === "team/")).toBe(false);
    expect(summary.failed).toBe(3);
    expect(logs.text()).toContain("mount team/ does not exist");
  });
});

describe("a real run", () => {
  test("makes the mount once though its keys run side by side, and leaves everything equal", async () => {
    const { summary, logs } = await pass({ dryRun: false });
    expect(summary).toMatchObject({ keys: 6, changed: 5, skipped: 0, failed: 0 });
    expect(logs.text()).not.toContain("sync failed");
    for (const path of ["a", "b", "c"]) {
      expect((await east.api("GET", `team/data/${path}`)).body.data.data).toEqual({ p: path });
    }
    expect((await east.api("GET", "secret/metadata/burnt")).body.data.versions["1"].destroyed).toBe(true);
    const again = await pass({ dryRun: true });
    expect(again.printed).toEqual([]);
    expect(again.summary).toMatchObject({ changes: 0, failed: 0, skipped: 0 });
  });
});
