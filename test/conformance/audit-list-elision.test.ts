// elide_list_responses, the audit option that replaces the keys of a LIST's response entry by
// their count, and why it matters over UDP: an entry too big for one datagram fails the device,
// and a request no device recorded is answered 500.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { udpListener } from "../support/vault-double/audit/listeners.ts";
import { HAS_NAMESPACES, startTarget, type Target } from "./target.ts";

// biome-ignore lint/suspicious/noExplicitAny: entries are parsed JSON, walked freely by the assertions.
type Entry = Record<string, any>;

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(async () => {
  await t.stop();
});

/** A UDP device at a fresh path sending to a listener of its own; both go when the target stops. */
async function udpDevice(options: Record<string, string> = {}) {
  const peer = await udpListener();
  t.cleanup(async () => peer.stop());
  const path = t.unique("audit");
  const resp = await t.req("PUT", `sys/audit/${path}`, {
    body: { type: "socket", options: { address: `127.0.0.1:${peer.port}`, socket_type: "udp", ...options } },
  });
  if (resp.status !== 204) throw new Error(`enabling audit ${path}: ${resp.status} ${resp.text}`);
  const disable = () => t.req("DELETE", `sys/audit/${path}`);
  t.cleanup(disable);
  /** The response entry of `operation` on `path`, once it arrived (undefined after `waitMs`). */
  const responseEntry = async (
    operation: string,
    path: string,
    waitMs = 5000,
  ): Promise<Entry | undefined> => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const found = peer.datagrams
        .map((d) => JSON.parse(d) as Entry)
        .find((e) => e.type === "response" && e.request?.operation === operation && e.request?.path === path);
      if (found || Date.now() > deadline) return found;
      await Bun.sleep(10);
    }
  };
  return { disable, responseEntry };
}

/** Writes `count` KV v1 keys under `folder/`, 32 at a time. */
async function writeKeys(mount: string, folder: string, count: number): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < count) {
      const key = `${folder}/key-${String(next++).padStart(5, "0")}`;
      const resp = await t.req("PUT", `${mount}/${key}`, { body: { v: "x" } });
      if (resp.status !== 204) throw new Error(`writing ${key}: ${resp.status} ${resp.text}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, writer));
}

describe("elide_list_responses", () => {
  test("a LIST's response entry holds the number of keys instead of the keys; the answer is whole", async () => {
    const plain = await udpDevice();
    const elided = await udpDevice({ elide_list_responses: "true" });
    const kv = await t.mount("kv", { options: { version: "2" } });
    for (const key of ["db", "api", "cache"])
      expect((await t.req("POST", `${kv}/data/app/${key}`, { body: { data: { v: key } } })).status).toBe(200);
    const listed = await t.req("LIST", `${kv}/metadata/app/`);
    expect(listed.status).toBe(200);
    expect(listed.json.data.keys).toEqual(["api", "cache", "db"]);
    const full = await plain.responseEntry("list", `${kv}/metadata/app/`);
    expect(full?.response.data.keys).toHaveLength(3);
    for (const key of full?.response.data.keys ?? []) expect(key).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect((await elided.responseEntry("list", `${kv}/metadata/app/`))?.response.data).toEqual({ keys: 3 });
  });

  test("other operations' entries keep their data, HMAC'd as usual", async () => {
    const elided = await udpDevice({ elide_list_responses: "true" });
    const kv = await t.mount("kv", { options: { version: "2" } });
    expect((await t.req("POST", `${kv}/data/app/db`, { body: { data: { v: "1" } } })).status).toBe(200);
    expect((await t.req("GET", `${kv}/data/app/db`)).status).toBe(200);
    const read = await elided.responseEntry("read", `${kv}/data/app/db`);
    expect(read?.response.data.data.v).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  });

  test.skipIf(!HAS_NAMESPACES)("LIST sys/namespaces: key_info becomes a count too", async () => {
    const elided = await udpDevice({ elide_list_responses: "true" });
    const parent = t.unique("ns");
    expect((await t.req("POST", `sys/namespaces/${parent}`)).status).toBe(200);
    t.cleanup(() => t.req("DELETE", `sys/namespaces/${parent}`));
    for (const child of ["a", "b"]) {
      expect((await t.req("POST", `sys/namespaces/${child}`, { ns: parent })).status).toBe(200);
      t.cleanup(() => t.req("DELETE", `sys/namespaces/${child}`, { ns: parent }));
    }
    const listed = await t.req("LIST", "sys/namespaces", { ns: parent });
    expect(listed.status).toBe(200);
    expect(Object.keys(listed.json.data.key_info)).toHaveLength(2);
    expect((await elided.responseEntry("list", "sys/namespaces/"))?.response.data).toEqual({
      key_info: 2,
      keys: 2,
    });
  });
});

describe("a LIST too large for one UDP datagram", () => {
  test("answers 500 when a UDP device is the only one, and 200 once the device elides list responses", async () => {
    // 1,000 keys HMAC'd in the entry take about 80 KB; a datagram holds 65,507 bytes.
    const kv = await t.mount("kv");
    await writeKeys(kv, "big", 1000);
    const others = Object.keys((await t.req("GET", "sys/audit")).json.data);
    for (const path of others) await t.req("DELETE", `sys/audit/${path}`);

    const plain = await udpDevice();
    const refused = await t.req("LIST", `${kv}/big/`);
    expect(refused.status).toBe(500);
    expect(refused.json.errors).toEqual(["internal error"]);
    expect(await plain.responseEntry("list", `${kv}/big/`, 300)).toBeUndefined();
    await plain.disable();

    const elided = await udpDevice({ elide_list_responses: "true" });
    const listed = await t.req("LIST", `${kv}/big/`);
    expect(listed.status).toBe(200);
    expect(listed.json.data.keys).toHaveLength(1000);
    expect((await elided.responseEntry("list", `${kv}/big/`))?.response.data).toEqual({ keys: 1000 });
  });
});
