// Namespaces (Vault Enterprise, OpenBao): each has its own mounts, policies and data, selected by
// X-Vault-Namespace. Against a real server these run only when it says it has namespaces.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HAS_NAMESPACES, startTarget, type Target } from "./target.ts";

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t.stop());

/** A fresh child namespace of the root, deleted (after its mounts) when the suite ends. */
async function namespace(): Promise<string> {
  const name = t.unique("ns");
  const resp = await t.req("POST", `sys/namespaces/${name}`);
  if (resp.status !== 200) throw new Error(`creating namespace ${name}: ${resp.status} ${resp.text}`);
  t.cleanup(() => t.req("DELETE", `sys/namespaces/${name}`));
  return name;
}

describe.skipIf(!HAS_NAMESPACES)("namespaces", () => {
  test("creating a namespace answers its id and path", async () => {
    const name = t.unique("ns");
    const resp = await t.req("POST", `sys/namespaces/${name}`, { body: { custom_metadata: { team: "a" } } });
    t.cleanup(() => t.req("DELETE", `sys/namespaces/${name}`));
    expect(resp.status).toBe(200);
    expect(resp.json.data).toMatchObject({ path: `${name}/`, custom_metadata: { team: "a" } });
    expect(typeof resp.json.data.id).toBe("string");
    expect((await t.req("GET", `sys/namespaces/${name}`)).json.data.id).toBe(resp.json.data.id);
  });

  test("a namespace that does not exist reads as a clean 404; a request inside it answers 'namespace not found'", async () => {
    const name = t.unique("never");
    const read = await t.req("GET", `sys/namespaces/${name}`);
    expect([read.status, read.json]).toEqual([404, { errors: [] }]);
    const inside = await t.req("GET", "sys/mounts", { ns: name });
    expect([inside.status, inside.json]).toEqual([404, { errors: ["namespace not found"] }]);
  });

  test("a child is read inside its parent, by its own name", async () => {
    const parent = await namespace();
    await t.req("POST", "sys/namespaces/child", { ns: parent, body: { custom_metadata: { tier: "gold" } } });
    t.cleanup(() => t.req("DELETE", "sys/namespaces/child", { ns: parent }));
    const read = await t.req("GET", "sys/namespaces/child", { ns: parent });
    expect(read.json.data).toMatchObject({ path: `${parent}/child/`, custom_metadata: { tier: "gold" } });
  });

  test("lists child namespaces with their details under key_info", async () => {
    const name = await namespace();
    const resp = await t.req("LIST", "sys/namespaces");
    expect(resp.json.data.keys).toContain(`${name}/`);
    expect(resp.json.data.key_info[`${name}/`].path).toBe(`${name}/`);
  });

  test("a new namespace has its own built-in mounts and no secret/", async () => {
    const name = await namespace();
    const mounts = (await t.req("GET", "sys/mounts", { ns: name })).json.data;
    expect(Object.keys(mounts)).toEqual(expect.arrayContaining(["cubbyhole/", "identity/", "sys/"]));
    expect(mounts["secret/"]).toBeUndefined();
  });

  test("a new namespace starts with the default policy", async () => {
    const name = await namespace();
    const resp = await t.req("LIST", "sys/policies/acl", { ns: name });
    expect(resp.json.data.keys).toContain("default");
  });

  test("keeps mounts and data apart: the same path in two namespaces holds different secrets", async () => {
    const a = await namespace();
    const b = await namespace();
    for (const ns of [a, b]) {
      await t.req("POST", "sys/mounts/kv", { ns, body: { type: "kv", options: { version: "2" } } });
      t.cleanup(() => t.req("DELETE", "sys/mounts/kv", { ns }));
      await t.req("POST", "kv/data/app", { ns, body: { data: { owner: ns } } });
    }
    expect((await t.req("GET", "kv/data/app", { ns: a })).json.data.data).toEqual({ owner: a });
    expect((await t.req("GET", "kv/data/app", { ns: b })).json.data.data).toEqual({ owner: b });
  });

  test("reaches a namespace through a path prefix as well as the header", async () => {
    const name = await namespace();
    await t.req("POST", "sys/mounts/kv", { ns: name, body: { type: "kv-v2" } });
    t.cleanup(() => t.req("DELETE", "sys/mounts/kv", { ns: name }));
    await t.req("POST", "kv/data/x", { ns: name, body: { data: { v: "1" } } });
    expect((await t.req("GET", `${name}/kv/data/x`)).json.data.data).toEqual({ v: "1" });
  });

  test("nests namespaces: a child created inside a namespace has the joined path", async () => {
    const parent = await namespace();
    const resp = await t.req("POST", "sys/namespaces/child", { ns: parent });
    t.cleanup(() => t.req("DELETE", "sys/namespaces/child", { ns: parent }));
    expect(resp.json.data.path).toBe(`${parent}/child/`);
    expect((await t.req("GET", "sys/mounts", { ns: `${parent}/child` })).status).toBe(200);
  });

  test("deleting a namespace answers 200 with status in-progress, and it is gone soon after", async () => {
    const name = t.unique("ns");
    await t.req("POST", `sys/namespaces/${name}`);
    const resp = await t.req("DELETE", `sys/namespaces/${name}`);
    expect(resp.status).toBe(200);
    expect(resp.json.data).toEqual({ status: "in-progress" });
    // OpenBao deletes in the background.
    let read = await t.req("GET", `sys/namespaces/${name}`);
    for (let i = 0; i < 50 && read.status !== 404; i++) {
      await Bun.sleep(100);
      read = await t.req("GET", `sys/namespaces/${name}`);
    }
    expect(read.status).toBe(404);
  });

  test("refuses to delete a namespace with a child; a missing one answers only a warning", async () => {
    const parent = await namespace();
    await t.req("POST", "sys/namespaces/child", { ns: parent });
    t.cleanup(() => t.req("DELETE", "sys/namespaces/child", { ns: parent }));
    const refused = await t.req("DELETE", `sys/namespaces/${parent}`);
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual({ errors: ["unable to delete namespace containing child namespaces"] });
    const missing = await t.req("DELETE", `sys/namespaces/${t.unique("never")}`);
    expect(missing.status).toBe(200);
    expect(missing.json.data).toBeNull();
    expect(missing.json.warnings).toEqual(["requested namespace does not exist"]);
  });

  test("policies written in a namespace are not seen outside it", async () => {
    const name = await namespace();
    const policy = t.unique("nspol");
    await t.req("PUT", `sys/policies/acl/${policy}`, {
      ns: name,
      body: { policy: 'path "a" { capabilities = ["read"] }' },
    });
    expect((await t.req("GET", `sys/policies/acl/${policy}`, { ns: name })).status).toBe(200);
    expect((await t.req("GET", `sys/policies/acl/${policy}`)).status).toBe(404);
  });
});

describe.skipIf(!HAS_NAMESPACES)("deleting a namespace", () => {
  test("a live namespace reads and lists with tainted: false", async () => {
    const name = await namespace();
    expect((await t.req("GET", `sys/namespaces/${name}`)).json.data.tainted).toBe(false);
    expect((await t.req("LIST", "sys/namespaces")).json.data.key_info[`${name}/`].tainted).toBe(false);
  });

  test("nothing inside answers once the DELETE is taken (its routes are tainted); it is listed tainted until gone; its parent waits for it", async () => {
    const parent = t.unique("ns");
    await t.req("POST", `sys/namespaces/${parent}`);
    await t.req("POST", "sys/namespaces/child", { ns: parent });
    await t.req("POST", "sys/mounts/kv", {
      ns: `${parent}/child`,
      body: { type: "kv", options: { version: "1" } },
    });
    // Enough keys that the background deletion takes a while on a real server.
    await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        t.req("PUT", `kv/k${i}`, { ns: `${parent}/child`, body: { v: "x" } }),
      ),
    );
    expect((await t.req("DELETE", "sys/namespaces/child", { ns: parent })).json.data).toEqual({
      status: "in-progress",
    });
    // While it goes its routes are tainted; once it is gone the namespace is not found.
    const inside = await t.req("GET", "kv/k1", { ns: `${parent}/child` });
    expect(inside.status).toBe(404);
    expect(inside.json.errors[0]).toMatch(
      new RegExp(
        `^(namespace not found|no handler for route "kv/k1" on namespace "${parent}/child/". route entry or namespace is tainted.)$`,
      ),
    );
    // Until the child is gone it is listed tainted, and the parent's DELETE is refused for it.
    for (let i = 0; i < 100; i++) {
      const listed = await t.req("LIST", "sys/namespaces", { ns: parent });
      const child = listed.status === 200 ? listed.json.data.key_info["child/"] : undefined;
      const deleted = await t.req("DELETE", `sys/namespaces/${parent}`);
      if (deleted.status === 200) {
        expect(deleted.json.data).toEqual({ status: "in-progress" });
        return;
      }
      expect(child?.tainted).toBe(true);
      expect([deleted.status, deleted.json]).toEqual([
        400,
        { errors: ["unable to delete namespace containing child namespaces"] },
      ]);
      await Bun.sleep(20);
    }
    throw new Error("the parent could still not be deleted after 2 s");
  });
});
