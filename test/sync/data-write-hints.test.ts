// A KV v2 key hinted by a data write, as the live path syncs it. A new key goes to a destination
// that has no record of it in one request (a write only if absent) instead of a metadata read and
// a write; whenever that write is refused, the usual read-and-compare decides, so the destination
// still ends equal to the source. A later version reads the destination's data path alone (one
// request, not metadata then data) before writing, and its settings only when they matter.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { type SyncOptions, syncKey } from "../../src/sync/sync.ts";
import type { SyncKey } from "../../src/sync-key.ts";
import { eventually } from "../support/eventually.ts";
import { ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

let n = 0;
let path = "";
beforeEach(() => {
  path = `first/k${++n}`;
});

/** A run as the agent makes it for a key whose every hint since its last sync wrote through data/. */
const liveRun = (options: Partial<SyncOptions> = {}) => {
  const key: SyncKey = { kind: "kv", namespace: "", mount: "secret/", path, dataOnly: true };
  return syncKey(key, source.client, [east.client, west.client], {
    deletes: true,
    createMounts: true,
    prune: "managed",
    managed: [],
    verified: {},
    ...options,
  });
};

const write = (vault: Vault, data: object, extra: object = {}) =>
  ok(vault.api("POST", `secret/data/${path}`, { data, ...extra }));
const held = async (vault: Vault) => {
  const { status, body } = await vault.api("GET", `secret/data/${path}`);
  return status === 200 ? { data: body.data.data, version: body.data.metadata.version } : status;
};

/** Sets both destinations' request counters back to zero. */
const resetRequests = () =>
  Promise.all([east, west].map((v) => fetch(`${v.address}/_double/stats`, { method: "DELETE" })));

/** The requests each destination answered since its counters were reset, by HTTP method. */
const requestsByMethod = () =>
  Promise.all(
    [east, west].map(async (v) => {
      const stats = (await (await fetch(`${v.address}/_double/stats`)).json()) as {
        by_method: Record<string, number>;
      };
      return stats.by_method;
    }),
  );

/** The requests each destination answered during `run`, by HTTP method. */
async function requestsDuring(run: () => Promise<unknown>): Promise<Record<string, number>[]> {
  // The clients' mount tables are read once and kept: read them before counting.
  await Promise.all([east, west].map((v) => v.client.mounts.find("", "secret/")));
  await resetRequests();
  await run();
  return requestsByMethod();
}

describe("the first version of a new key, hinted by a data write", () => {
  test("reaches each destination in one request, a write only if absent", async () => {
    await write(source, { pw: "one" });
    let outcomes: unknown;
    const requests = await requestsDuring(async () => {
      outcomes = (await liveRun()).destinations.map(({ result, done, managed, verified }) => ({
        result,
        done,
        managed,
        verified,
      }));
    });
    expect(requests).toEqual([{ POST: 1 }, { POST: 1 }]);
    const written = { result: "written", done: ["kv2-write"], managed: true, verified: "" };
    expect(outcomes).toEqual([written, written]);
    expect(await held(east)).toEqual({ data: { pw: "one" }, version: 1 });
    expect(await held(west)).toEqual({ data: { pw: "one" }, version: 1 });
  });

  test("a destination that has the key already with other data gets the source's as its next version", async () => {
    await write(source, { pw: "source" });
    await write(east, { pw: "by hand" });
    const result = await liveRun();
    expect(result.destinations.map((d) => [d.result, d.done, d.error])).toEqual([
      ["written", ["kv2-write"], undefined],
      ["written", ["kv2-write"], undefined],
    ]);
    expect(await held(east)).toEqual({ data: { pw: "source" }, version: 2 });
    expect(await held(west)).toEqual({ data: { pw: "source" }, version: 1 });
  });

  test("a destination that holds the same data already (another Courier was first) is left as it is", async () => {
    await write(source, { pw: "same" });
    await write(east, { pw: "same" });
    const result = await liveRun();
    expect(result.destinations.map((d) => [d.result, d.done])).toEqual([
      ["unchanged", []],
      ["written", ["kv2-write"]],
    ]);
    expect(await held(east)).toEqual({ data: { pw: "same" }, version: 1 });
  });

  test("where Courier's record has the key (managed, or verified), it reads the destination first", async () => {
    await write(source, { pw: "one" });
    const requests = await requestsDuring(() =>
      liveRun({ managed: [east.address], verified: { [west.address]: "fingerprint" } }),
    );
    for (const byMethod of requests) expect(byMethod.GET).toBeGreaterThanOrEqual(1);
    expect(await held(east)).toEqual({ data: { pw: "one" }, version: 1 });
    expect(await held(west)).toEqual({ data: { pw: "one" }, version: 1 });
  });

  test("a new key with custom_metadata gets it too: the full sync writes its metadata", async () => {
    await ok(source.api("POST", `secret/metadata/${path}`, { custom_metadata: { owner: "team-a" } }));
    await write(source, { pw: "one" });
    const result = await liveRun();
    expect(result.destinations.map((d) => d.done)).toEqual([
      ["kv2-write-metadata", "kv2-write"],
      ["kv2-write-metadata", "kv2-write"],
    ]);
    for (const vault of [east, west]) {
      const { body } = await vault.api("GET", `secret/metadata/${path}`);
      expect(body.data.custom_metadata).toEqual({ owner: "team-a" });
    }
  });

  test("a second version is not a new key: the destination is read before it is written", async () => {
    await write(source, { pw: "one" });
    await write(source, { pw: "two" });
    await write(east, { pw: "one" });
    const requests = await requestsDuring(() => liveRun({ managed: [] }));
    expect(requests[0]?.GET).toBeGreaterThanOrEqual(1);
    expect(await held(east)).toEqual({ data: { pw: "two" }, version: 2 });
  });
});

describe("the first version where a destination holds the key as metadata only", () => {
  test("lands there, and the next full sync (a pass) puts the source's custom_metadata in place of the other writer's", async () => {
    await ok(east.api("POST", `secret/metadata/${path}`, { custom_metadata: { owner: "someone" } }));
    await write(source, { pw: "one" });
    const result = await liveRun();
    expect(result.destinations.map((d) => d.done)).toEqual([["kv2-write"], ["kv2-write"]]);
    expect(await held(east)).toEqual({ data: { pw: "one" }, version: 1 });
    // The write only-if-absent met no version there; the other writer's metadata stayed.
    const custom = async () => (await east.api("GET", `secret/metadata/${path}`)).body.data.custom_metadata;
    expect(await custom()).toEqual({ owner: "someone" });
    const key: SyncKey = { kind: "kv", namespace: "", mount: "secret/", path };
    const pass = await syncKey(key, source.client, [east.client], { deletes: true, createMounts: true });
    expect(pass.destinations.map((d) => d.done)).toEqual([["kv2-write-metadata"]]);
    expect(await custom()).toBeNull();
  });
});

describe("a later version, hinted by a data write", () => {
  test("reads each destination's data path once, then writes: two requests a destination", async () => {
    await write(source, { pw: "one" });
    await liveRun();
    await write(source, { pw: "two" });
    const requests = await requestsDuring(() => liveRun({ managed: [east.address, west.address] }));
    expect(requests).toEqual([
      { GET: 1, POST: 1 },
      { GET: 1, POST: 1 },
    ]);
    expect(await held(east)).toEqual({ data: { pw: "two" }, version: 2 });
  });

  test("the same data written again on the source adds no version on a destination", async () => {
    await write(source, { pw: "one" });
    await liveRun();
    await write(source, { pw: "one" });
    const result = await liveRun({ managed: [east.address, west.address] });
    expect(result.destinations.map((d) => [d.result, d.done])).toEqual([
      ["unchanged", []],
      ["unchanged", []],
    ]);
    expect(await held(west)).toEqual({ data: { pw: "one" }, version: 1 });
  });

  test("custom_metadata changed by hand on a destination is put back without losing its other settings", async () => {
    const settings = { max_versions: 7, custom_metadata: { owner: "team-a" } };
    for (const vault of [source, east, west]) {
      await ok(vault.api("POST", `secret/metadata/${path}`, settings));
      await write(vault, { pw: "one" });
    }
    await ok(east.api("POST", `secret/metadata/${path}`, { custom_metadata: { owner: "someone" } }));
    await write(source, { pw: "two" });
    const result = await liveRun({ managed: [east.address, west.address] });
    expect(result.destinations.map((d) => d.done)).toEqual([
      ["kv2-write-metadata", "kv2-write"],
      ["kv2-write"],
    ]);
    const { body } = await east.api("GET", `secret/metadata/${path}`);
    expect([body.data.max_versions, body.data.custom_metadata]).toEqual([7, { owner: "team-a" }]);
    expect(await held(east)).toEqual({ data: { pw: "two" }, version: 2 });
  });

  test("a destination whose current version is soft-deleted gets the source's data back", async () => {
    await write(source, { pw: "one" });
    await liveRun();
    await ok(east.api("DELETE", `secret/data/${path}`));
    await write(source, { pw: "two" });
    await liveRun({ managed: [east.address, west.address] });
    expect(await held(east)).toEqual({ data: { pw: "two" }, version: 2 });
  });
});

describe("a later version of a key Courier keeps on a destination", () => {
  afterEach(() => fetch(`${source.address}/_double/faults`, { method: "DELETE" }));

  test("reads the destination's data alongside the source's, not after it", async () => {
    await write(source, { pw: "one" });
    await liveRun();
    await write(source, { pw: "two" });
    // The source answers its data read only after 1.5 s.
    await fetch(`${source.address}/_double/faults`, {
      method: "POST",
      body: JSON.stringify([{ kind: "latency", ms: 1_500, path: `secret/data/${path}`, method: "GET" }]),
    });
    await resetRequests();
    const sourceMount = (await source.client.mounts.find("", "secret/")) ?? undefined;
    const run = liveRun({ managed: [east.address, west.address], sourceMount });
    // Both destinations are asked while the source still keeps its answer.
    await eventually(
      async () => {
        for (const byMethod of await requestsByMethod()) expect(byMethod.GET).toBe(1);
      },
      { timeoutMs: 1_000 },
    );
    expect((await run).destinations.map((d) => [d.result, d.done])).toEqual([
      ["written", ["kv2-write"]],
      ["written", ["kv2-write"]],
    ]);
    expect(await held(east)).toEqual({ data: { pw: "two" }, version: 2 });
  });
});
