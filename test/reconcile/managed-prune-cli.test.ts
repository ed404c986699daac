// `courier sync` and `courier diff` with the default sync.prune=managed: a key the source lost is
// an extra Courier put there ("managed", and the next sync deletes it) or another writer's
// ("foreign", left alone), and diff says which.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { courier, freshStateDir } from "../support/courier-process.ts";
import { ok, startVault, type Vault } from "../sync/vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
let flags: string[];

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  flags = [
    `--vault.source.address=${source.address}`,
    "--vault.source.token=root",
    `--vault.destinations.addresses=${east.address},${west.address}`,
    "--vault.destinations.tokens=root",
    `--state.dir=${freshStateDir()}`,
    "--sync.policies=false",
  ];
  for (const path of ["app/a", "app/b"]) {
    await ok(source.api("POST", `secret/data/${path}`, { data: { v: path } }));
  }
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

const status = async (vault: Vault, path: string) =>
  (await vault.api("GET", `secret/metadata/${path}`)).status;

describe("extras under sync.prune=managed", () => {
  test("diff marks each extra as managed or foreign, and sync deletes only the managed ones", async () => {
    expect((await courier(["sync", ...flags])).code).toBe(0);
    await ok(source.api("DELETE", "secret/metadata/app/b"));
    await ok(east.api("POST", "secret/data/app/theirs", { data: { v: "east's own" } }));

    const json = await courier(["diff", ...flags, "--format=json"]);
    expect(json.code).toBe(1);
    const rows = (JSON.parse(json.stdout).drift as Record<string, string>[]).map(
      (r) => `${r.destination === east.address ? "east" : "west"} ${r.status} ${r.path} ${r.owner}`,
    );
    expect(rows).toEqual([
      "east extra app/b managed",
      "west extra app/b managed",
      "east extra app/theirs foreign",
    ]);
    const table = await courier(["diff", ...flags, "--format=table"]);
    expect(table.stdout).toContain(`${east.address}  extra    kv secret/app/b  (managed)`);
    expect(table.stdout).toContain(`${east.address}  extra    kv secret/app/theirs  (foreign)`);

    const synced = await courier(["sync", ...flags]);
    expect(synced.code).toBe(0);
    for (const vault of [east, west]) expect(await status(vault, "app/b")).toBe(404);
    expect(await status(east, "app/theirs")).toBe(200);
    const after = await courier(["diff", ...flags, "--format=json"]);
    expect(JSON.parse(after.stdout).summary.destinations[west.address]).toMatchObject({ extra: 0 });
  });
});
