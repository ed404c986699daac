// How Vault's HTTP layer answers requests before any backend sees them: shapes, bad input,
// verbs, tokens. Every behaviour here holds for real Vault (the suite may run against one).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cleanPathRedirect, jsonErrorPattern, trailingBytesStored, wrappedKeys } from "./flavors.ts";
import { rawRequest } from "./raw-http.ts";
import { startTarget, type Target, WRAPPED_KEYS } from "./target.ts";

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t.stop());

describe("the HTTP layer", () => {
  test("answers a successful read with Vault's wrapped body and no-store caching", async () => {
    const kv = await t.mount("kv");
    await t.req("PUT", `${kv}/shape`, { body: { v: "1" } });
    const resp = await t.req("GET", `${kv}/shape`);
    expect(resp.status).toBe(200);
    expect(resp.headers.get("content-type")).toBe("application/json");
    expect(resp.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(resp.json).sort()).toEqual(wrappedKeys(t.flavor, WRAPPED_KEYS));
    expect(resp.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("answers a write that returns nothing with 204 and an empty body", async () => {
    const kv = await t.mount("kv");
    const resp = await t.req("PUT", `${kv}/a`, { body: { v: "1" } });
    expect(resp.status).toBe(204);
    expect(resp.text).toBe("");
  });

  test("answers 404 with an empty errors list outside /v1/", async () => {
    const resp = await rawRequest(t.address, { method: "GET", path: "/v2/secret/data/a" });
    expect(resp.status).toBe(404);
    expect(resp.json).toEqual({ errors: [] });
  });

  test("names the path when no mount serves it", async () => {
    const path = `${t.unique("nomount")}/some/key`;
    const resp = await t.req("GET", path);
    expect(resp.status).toBe(404);
    expect(resp.json).toEqual({ errors: [`no handler for route "${path}". route entry not found.`] });
  });

  test("refuses a request with no token with 403 permission denied", async () => {
    const resp = await t.req("GET", "secret/data/anything", { token: null });
    expect(resp.status).toBe(403);
    expect(resp.json).toEqual({ errors: ["permission denied"] });
  });

  test("refuses a request with an unknown token with 403 permission denied", async () => {
    const resp = await t.req("GET", "sys/mounts", { token: "not-a-token" });
    expect(resp.status).toBe(403);
    expect(resp.json).toEqual({ errors: ["permission denied"] });
  });

  test("takes the token from an Authorization: Bearer header too", async () => {
    const resp = await t.req("GET", "sys/mounts/secret/tune", {
      token: null,
      headers: { Authorization: `Bearer ${t.token}` },
    });
    expect(resp.status).toBe(200);
  });

  test("answers 405 with an empty errors list to a verb it does not know", async () => {
    const resp = await t.req("FROB", "secret/data/a");
    expect(resp.status).toBe(405);
    expect(resp.json).toEqual({ errors: [] });
  });

  test("answers 400 'error parsing JSON' to a malformed JSON body", async () => {
    const resp = await t.req("POST", "secret/data/a", { body: '{"data": {"a": ' });
    expect(resp.status).toBe(400);
    expect(resp.json.errors).toEqual([expect.stringMatching(jsonErrorPattern(t.flavor))]);
  });

  test("answers 400 'error parsing JSON' to a JSON body that is not an object", async () => {
    const resp = await t.req("POST", "secret/data/a", { body: "[1,2]" });
    expect(resp.status).toBe(400);
    expect(resp.json.errors).toEqual([expect.stringMatching(jsonErrorPattern(t.flavor))]);
  });

  test("never stores what follows the first JSON value: Vault ignores it, OpenBao refuses the body", async () => {
    const kv = await t.mount("kv");
    const resp = await t.req("PUT", `${kv}/first`, { body: '{"v":"1"} trailing junk' });
    const read = await t.req("GET", `${kv}/first`);
    if (trailingBytesStored(t.flavor)) {
      expect(resp.status).toBe(204);
      expect(read.json.data).toEqual({ v: "1" });
    } else {
      expect(resp.status).toBe(400);
      expect(read.status).toBe(404);
    }
  });

  test("accepts a form-encoded body when the Content-Type says so", async () => {
    const kv = await t.mount("kv");
    const resp = await t.req("PUT", `${kv}/form`, {
      body: "user=app&pass=x",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(resp.status).toBe(204);
    expect((await t.req("GET", `${kv}/form`)).json.data).toEqual({ pass: "x", user: "app" });
  });

  test("answers 413 to a body over the 32 MiB request limit and stays up", async () => {
    const big = `{"data":{"v":"${"x".repeat(33 * 1024 * 1024)}"}}`;
    const resp = await t.req("POST", "secret/data/too-big", { body: big });
    expect(resp.status).toBe(413);
    expect((await t.req("GET", "sys/mounts/secret/tune")).status).toBe(200);
  });

  test("refuses a write to a path ending in a slash", async () => {
    const resp = await t.req("POST", "secret/data/folder/", { body: { data: { a: "b" } } });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ["cannot write to a path ending in '/'"] });
  });

  test("answers 400 with an empty errors list when list= is not a boolean", async () => {
    const resp = await t.req("GET", "secret/metadata/?list=maybe");
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: [] });
  });

  test("requires the merge-patch content type for PATCH (415 otherwise)", async () => {
    const resp = await t.req("PATCH", "secret/data/a", { body: { data: { a: "b" } } });
    expect(resp.status).toBe(415);
    expect(resp.json).toEqual({
      errors: ["PATCH requires Content-Type of application/merge-patch+json, provided application/json"],
    });
  });

  test("answers 400 to a PATCH with no Content-Type at all", async () => {
    const resp = await t.req("PATCH", "secret/data/a", { body: "{}", headers: { "Content-Type": "" } });
    expect(resp.status).toBe(400);
  });

  test("redirects an unclean path to its clean form, like Go's ServeMux", async () => {
    const resp = await rawRequest(t.address, { method: "GET", path: "/v1/secret//data/./a" });
    expect(resp.status).toBe(cleanPathRedirect(t.flavor));
    expect(resp.headers.get("location")).toBe("/v1/secret/data/a");
  });

  test("lists with the LIST verb and with GET ?list=true alike", async () => {
    const kv = await t.mount("kv");
    await t.req("PUT", `${kv}/dir/a`, { body: { v: "1" } });
    const verb = await t.req("LIST", `${kv}/dir`);
    const query = await t.req("GET", `${kv}/dir?list=true`);
    expect(verb.status).toBe(200);
    expect(verb.json.data).toEqual({ keys: ["a"] });
    expect(query.json.data).toEqual(verb.json.data);
  });
});
