import { afterAll, beforeAll, expect, test } from "bun:test";
import type { SyncResult } from "../../src/sync/outcome.ts";
import { ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;

beforeAll(async () => {
  [source, east] = await Promise.all([startVault(), startVault()]);
});
afterAll(async () => {
  await Promise.all([source, east].map((v) => v?.stop()));
});

test("syncs a key from inside a Bun Worker, given only plain settings", async () => {
  await ok(source.api("POST", "secret/data/from-worker", { data: { v: "1" } }));
  const worker = new Worker(new URL("./fixtures/sync-in-worker.worker.ts", import.meta.url));
  const settings = (v: Vault) => ({
    address: v.address,
    auth: { method: "token" as const, token: v.rootToken },
  });
  const result = await new Promise<SyncResult>((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage({
      key: { kind: "kv", namespace: "", mount: "secret/", path: "from-worker" },
      source: settings(source),
      destinations: [settings(east)],
    });
  });
  worker.terminate();
  expect(result).toEqual({
    destinations: [
      { destination: east.address, result: "written", done: ["kv2-write"], skipped: [], managed: true },
    ],
  });
  expect((await east.api("GET", "secret/data/from-worker")).body.data.data).toEqual({ v: "1" });
});
