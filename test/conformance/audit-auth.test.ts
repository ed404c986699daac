// What the audit log says about the token check and what a response hands out: policy results,
// how a refusal is worded for a bad token and for an ACL that says no, the display name of a new
// token, and raw responses. Entries are read back from a file device on this machine.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTarget, type Target } from "./target.ts";

// biome-ignore lint/suspicious/noExplicitAny: entries are parsed JSON, walked freely by the assertions.
type Entry = Record<string, any>;

const DENIED_WRAPPED = "1 error occurred:\n\t* permission denied\n\n";

let t: Target;
let file: string;
let device: string;
beforeAll(async () => {
  t = await startTarget();
  file = join(mkdtempSync(join(tmpdir(), "audit-auth-")), "vault_audit.log");
  device = t.unique("audit");
  const resp = await t.req("PUT", `sys/audit/${device}`, {
    body: { type: "file", options: { file_path: file } },
  });
  if (resp.status !== 204) throw new Error(`enabling audit: ${resp.status} ${resp.text}`);
  t.cleanup(() => t.req("DELETE", `sys/audit/${device}`));
});
afterAll(() => t.stop());

/** The request and response entries written so far for one request path. */
function entriesFor(path: string): { req: Entry[]; resp: Entry[] } {
  const all: Entry[] = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l))
    .filter((e) => e.request?.path === path);
  return { req: all.filter((e) => e.type === "request"), resp: all.filter((e) => e.type === "response") };
}

const hash = async (input: string): Promise<string> =>
  (await t.req("POST", `sys/audit-hash/${device}`, { body: { input } })).json.data.hash;

/** A token whose one policy grants `capabilities` on `path`. */
async function tokenFor(path: string, capabilities: string[]): Promise<string> {
  const name = t.unique("pol");
  const policy = `path "${path}" { capabilities = ${JSON.stringify(capabilities)} }`;
  await t.req("PUT", `sys/policies/acl/${name}`, { body: { policy } });
  t.cleanup(() => t.req("DELETE", `sys/policies/acl/${name}`));
  return (await t.req("POST", "auth/token/create", { body: { policies: [name], ttl: "10m" } })).json.auth
    .client_token;
}

describe("the token check in the audit log", () => {
  test("an allowed request names the policies that granted it", async () => {
    const kv = await t.mount("kv");
    await t.req("PUT", `${kv}/granted`, { body: { a: "1" } });
    const { req, resp } = entriesFor(`${kv}/granted`);
    const granted = {
      allowed: true,
      granting_policies: [{ name: "root", namespace_id: "root", type: "acl" }],
    };
    expect(req[0]?.auth.policy_results).toEqual(granted);
    expect(resp[0]?.auth.policy_results).toEqual(granted);
  });

  test("a valid token the ACL refuses: allowed false, and the wrapped error in both entries and the body", async () => {
    const kv = await t.mount("kv");
    const token = await tokenFor(`${kv}/other/*`, ["read"]);
    const answer = await t.req("PUT", `${kv}/acl-denied`, { token, body: { a: "1" } });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ errors: [DENIED_WRAPPED] });
    const { req, resp } = entriesFor(`${kv}/acl-denied`);
    expect(req[0]?.error).toBe(DENIED_WRAPPED);
    expect(resp[0]?.error).toBe(DENIED_WRAPPED);
    expect(req[0]?.auth.policy_results).toEqual({ allowed: false });
    expect(resp[0]?.response.data.error).toBe(await hash(DENIED_WRAPPED));
    // The write's existence check ran before the ACL said no: the mount is already known.
    const accessor = (await t.req("GET", "sys/mounts")).json.data[`${kv}/`].accessor;
    expect(req[0]?.request.mount_accessor).toBe(accessor);
  });

  test("a bad token is refused before any ACL: plain permission denied, no policy results, no accessor", async () => {
    const kv = await t.mount("kv");
    const answer = await t.req("PUT", `${kv}/bad-token`, { token: "hvs.not-a-token", body: { a: "1" } });
    expect(answer.status).toBe(403);
    expect(answer.json).toEqual({ errors: ["permission denied"] });
    const { req, resp } = entriesFor(`${kv}/bad-token`);
    expect(req[0]?.error).toBe("permission denied");
    expect(resp[0]?.error).toBe(DENIED_WRAPPED);
    expect(req[0]?.auth).toEqual({ token_type: "default" });
    expect(resp[0]?.response.data.error).toBe(await hash("permission denied"));
    expect(req[0]?.request.mount_accessor).toBeUndefined();
  });

  test("an AppRole login needs no token: allowed true with no policies, and the accessor before routing", async () => {
    const mount = t.unique("approle");
    await t.req("POST", `sys/auth/${mount}`, { body: { type: "approle" } });
    t.cleanup(() => t.req("DELETE", `sys/auth/${mount}`));
    await t.req("POST", `auth/${mount}/role/app`, { body: { token_policies: ["default"] } });
    const roleId = (await t.req("GET", `auth/${mount}/role/app/role-id`)).json.data.role_id;
    const secretId = (await t.req("POST", `auth/${mount}/role/app/secret-id`, { body: {} })).json.data
      .secret_id;
    const login = await t.req("POST", `auth/${mount}/login`, {
      token: null,
      body: { role_id: roleId, secret_id: secretId },
    });
    expect(login.status).toBe(200);
    const { req, resp } = entriesFor(`auth/${mount}/login`);
    expect(req[0]?.auth).toEqual({ policy_results: { allowed: true }, token_type: "default" });
    const accessor = (await t.req("GET", "sys/auth")).json.data[`${mount}/`].accessor;
    expect(req[0]?.request.mount_accessor).toBe(accessor);
    expect(resp[0]?.response.auth.client_token).toBe(await hash(login.json.auth.client_token));
  });

  test("a use-limited token's entries show the uses it had before the request", async () => {
    const token = (await t.req("POST", "auth/token/create", { body: { num_uses: 3, ttl: "5m" } })).json.auth
      .client_token;
    await t.req("GET", "auth/token/lookup-self", { token });
    await t.req("GET", "auth/token/lookup-self", { token });
    const mine = entriesFor("auth/token/lookup-self").req.slice(-2);
    expect(mine.map((e) => e.auth.remaining_uses)).toEqual([3, 2]);
  });
});

describe("what a response hands out", () => {
  test("a created token's response entry names its display_name", async () => {
    const created = await t.req("POST", "auth/token/create", { body: { display_name: "ci", ttl: "5m" } });
    expect(created.status).toBe(200);
    const last = entriesFor("auth/token/create").resp.at(-1);
    expect(last?.response.auth.accessor).toBe(await hash(created.json.auth.accessor));
    expect(last?.response.auth.display_name).toBe("token-ci");
  });

  test("a KV v2 404-with-body is audited as a raw response: content type, body text, status code", async () => {
    const kv = await t.mount("kv", { options: { version: "2" } });
    await t.req("POST", `${kv}/data/gone`, { body: { data: { a: "1" } } });
    await t.req("DELETE", `${kv}/data/gone`);
    const read = await t.req("GET", `${kv}/data/gone`);
    expect(read.status).toBe(404);
    const { resp } = entriesFor(`${kv}/data/gone`);
    const entry = resp.find((e) => e.request.operation === "read");
    expect(entry?.response.data).toEqual({
      http_content_type: await hash("application/json"),
      http_raw_body: await hash(read.text),
      http_status_code: 404,
    });
  });
});
