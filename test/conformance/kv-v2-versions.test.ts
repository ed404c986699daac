// KV version 2 version management: delete/, undelete/, destroy/, and max_versions pruning.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTarget, type Target } from "./target.ts";

let t: Target;
let kv: string;
beforeAll(async () => {
  t = await startTarget();
  kv = await t.mount("kv-v2");
});
afterAll(() => t.stop());

async function writeVersions(key: string, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await t.req("POST", `${kv}/data/${key}`, { body: { data: { v: String(i) } } });
}

describe("KV v2 versions", () => {
  test("delete/ soft-deletes listed versions and undelete/ restores them", async () => {
    await writeVersions("del", 3);
    expect((await t.req("POST", `${kv}/delete/del`, { body: { versions: [1, 2] } })).status).toBe(204);
    expect((await t.req("GET", `${kv}/data/del?version=1`)).status).toBe(404);
    expect((await t.req("GET", `${kv}/data/del?version=3`)).status).toBe(200);
    expect((await t.req("POST", `${kv}/undelete/del`, { body: { versions: [1] } })).status).toBe(204);
    const back = await t.req("GET", `${kv}/data/del?version=1`);
    expect(back.status).toBe(200);
    expect(back.json.data.data).toEqual({ v: "1" });
    expect(back.json.data.metadata.deletion_time).toBe("");
  });

  test("destroy/ removes versions for good: 404 with destroyed true, and undelete cannot bring them back", async () => {
    await writeVersions("destroy", 2);
    expect((await t.req("PUT", `${kv}/destroy/destroy`, { body: { versions: [1] } })).status).toBe(204);
    const gone = await t.req("GET", `${kv}/data/destroy?version=1`);
    expect(gone.status).toBe(404);
    expect(gone.json.data).toEqual({
      data: null,
      metadata: expect.objectContaining({ version: 1, destroyed: true, deletion_time: "" }),
    });
    await t.req("POST", `${kv}/undelete/destroy`, { body: { versions: [1] } });
    expect((await t.req("GET", `${kv}/data/destroy?version=1`)).status).toBe(404);
    const meta = await t.req("GET", `${kv}/metadata/destroy`);
    expect(meta.json.data.versions["1"].destroyed).toBe(true);
  });

  test("accepts versions as a comma-separated string too", async () => {
    await writeVersions("comma", 2);
    await t.req("POST", `${kv}/delete/comma`, { body: { versions: "1,2" } });
    expect((await t.req("GET", `${kv}/data/comma?version=2`)).status).toBe(404);
  });

  test.each([
    ["delete", "No version number provided"],
    ["undelete", "No version number provided"],
    ["destroy", "no version number provided"],
  ])("%s/ without versions answers 400 %p", async (action, message) => {
    await writeVersions(`nov-${action}`, 1);
    const resp = await t.req("POST", `${kv}/${action}/nov-${action}`, { body: {} });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: [message] });
  });

  test("delete/ of a key that does not exist is a 204 no-op", async () => {
    expect(
      (await t.req("POST", `${kv}/delete/${t.unique("none")}`, { body: { versions: [1] } })).status,
    ).toBe(204);
  });

  test("a GET on delete/ is not an operation the path supports (405)", async () => {
    const resp = await t.req("GET", `${kv}/delete/x`);
    expect(resp.status).toBe(405);
  });

  test("keeps at most max_versions versions, dropping the oldest on the next write", async () => {
    await t.req("POST", `${kv}/metadata/pruned`, { body: { max_versions: 2 } });
    await writeVersions("pruned", 4);
    const meta = await t.req("GET", `${kv}/metadata/pruned`);
    expect(Object.keys(meta.json.data.versions).sort()).toEqual(["3", "4"]);
    expect(meta.json.data.current_version).toBe(4);
    expect(meta.json.data.oldest_version).toBe(3);
    const old = await t.req("GET", `${kv}/data/pruned?version=1`);
    expect(old.status).toBe(404);
    expect(old.json).toEqual({ errors: [] });
  });

  test("starts oldest_version at 0 and keeps ten versions by default", async () => {
    await writeVersions("ten", 3);
    expect((await t.req("GET", `${kv}/metadata/ten`)).json.data.oldest_version).toBe(0);
    await writeVersions("ten", 9);
    const meta = await t.req("GET", `${kv}/metadata/ten`);
    expect(Object.keys(meta.json.data.versions)).toHaveLength(10);
    expect(meta.json.data.oldest_version).toBe(3);
  });
});
