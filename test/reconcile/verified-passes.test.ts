// KV v2 passes that trust what was verified: once a key was found equal on a destination, a pass
// that finds both sides' metadata unchanged reads no data, one request per key per Vault. Drift
// made by hand still shows in the metadata and is found; --deep reads everything.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { courier, freshStateDir } from "../support/courier-process.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

const KEYS = 60;
let source: VaultDouble;
let east: VaultDouble;
let west: VaultDouble;
let flags: string[];

const call = (vault: VaultDouble, method: string, path: string, body?: unknown) =>
  fetch(`${vault.address}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": "root" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const requests = async (vault: VaultDouble) =>
  ((await (await fetch(`${vault.controlAddress}/_double/stats`)).json()) as { total: number }).total;
const resetStats = () =>
  Promise.all(
    [source, east, west].map((v) => fetch(`${v.controlAddress}/_double/stats`, { method: "DELETE" })),
  );
/** Requests each Vault answered during `run`. */
async function counted(run: () => Promise<unknown>) {
  await resetStats();
  await run();
  return { source: await requests(source), east: await requests(east), west: await requests(west) };
}

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVaultDouble(), startVaultDouble(), startVaultDouble()]);
  for (let i = 0; i < KEYS; i++)
    await call(source, "POST", `secret/data/app/k${i}`, { data: { n: String(i) } });
  flags = [
    `--vault.source.address=${source.address}`,
    "--vault.source.token=root",
    `--vault.destinations.addresses=${east.address},${west.address}`,
    "--vault.destinations.tokens=root",
    `--state.dir=${freshStateDir()}`,
    "--sync.policies=false",
  ];
  // The first pass writes every key; the second finds them equal and records it.
  expect((await courier(["sync", ...flags])).code).toBe(0);
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

describe("a KV v2 pass over keys verified equal before", () => {
  test("reads each key's metadata only: one request per key per Vault, where a full read takes two", async () => {
    const full = await counted(async () => expect((await courier(["sync", ...flags])).code).toBe(0));
    const trusted = await counted(async () => expect((await courier(["sync", ...flags])).code).toBe(0));
    for (const vault of ["source", "east", "west"] as const) {
      expect(full[vault]).toBeGreaterThanOrEqual(2 * KEYS);
      expect(trusted[vault]).toBeLessThanOrEqual(KEYS + 10);
    }
  });

  test("still finds and repairs a value changed by hand on one destination", async () => {
    await call(east, "POST", "secret/data/app/k7", { data: { n: "by hand" } });
    const out = await courier(["sync", ...flags]);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('"changed":1');
    const body = (await (await call(east, "GET", "secret/data/app/k7")).json()) as {
      data: { data: unknown };
    };
    expect(body.data.data).toEqual({ n: "7" });
  });

  test("diff trusts the record too, and diff --deep reads every key's data again", async () => {
    const quick = await counted(async () => expect((await courier(["diff", ...flags])).code).toBe(0));
    const deep = await counted(async () =>
      expect((await courier(["diff", ...flags, "--deep"])).code).toBe(0),
    );
    expect(quick.west).toBeLessThanOrEqual(KEYS + 10);
    for (const vault of ["source", "east", "west"] as const)
      expect(deep[vault]).toBeGreaterThanOrEqual(2 * KEYS);
  });

  test("a lost state directory only makes the pass read everything again", async () => {
    const lost = flags.map((f) => (f.startsWith("--state.dir=") ? `--state.dir=${freshStateDir()}` : f));
    const fresh = await counted(async () => expect((await courier(["sync", ...lost])).code).toBe(0));
    expect(fresh.east).toBeGreaterThanOrEqual(2 * KEYS);
  });
});
