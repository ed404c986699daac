// ACL policies: sys/policies/acl/* and the legacy sys/policy/* API, names, root and default.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { policyRenameWarns } from "./flavors.ts";
import { startTarget, type Target } from "./target.ts";

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t.stop());

const HCL = 'path "secret/data/app/*" {\n  capabilities = ["read", "list"]\n}\n';

/** A unique lower-case policy name, removed when the suite ends. */
function policyName(base: string): string {
  const name = t.unique(base);
  t.cleanup(() => t.req("DELETE", `sys/policies/acl/${name}`));
  return name;
}

describe("sys/policies/acl", () => {
  test("writes a policy with 204 and reads back its name and text", async () => {
    const name = policyName("app");
    expect((await t.req("PUT", `sys/policies/acl/${name}`, { body: { policy: HCL } })).status).toBe(204);
    const resp = await t.req("GET", `sys/policies/acl/${name}`);
    expect(resp.status).toBe(200);
    expect(resp.json.data).toMatchObject({ name, policy: HCL });
  });

  test("lists policy names with LIST, including default and root", async () => {
    const name = policyName("listed");
    await t.req("PUT", `sys/policies/acl/${name}`, { body: { policy: HCL } });
    const resp = await t.req("LIST", "sys/policies/acl");
    expect(resp.status).toBe(200);
    expect(resp.json.data.keys).toEqual(expect.arrayContaining([name, "default", "root"]));
  });

  test("does not answer a plain GET on the policy list (405)", async () => {
    expect((await t.req("GET", "sys/policies/acl")).status).toBe(405);
  });

  test("lowercases a policy name (Vault warns about it; OpenBao lowercases the path first)", async () => {
    const name = policyName("mixed");
    const resp = await t.req("PUT", `sys/policies/acl/${name.toUpperCase()}`, { body: { policy: HCL } });
    if (policyRenameWarns(t.flavor)) {
      expect(resp.status).toBe(200);
      expect(resp.json.warnings).toEqual([`policy name was converted to ${name}`]);
    } else {
      expect(resp.status).toBe(204);
    }
    expect((await t.req("GET", `sys/policies/acl/${name.toUpperCase()}`)).json.data.name).toBe(name);
  });

  test("deletes a policy with 204; reading it then answers 404", async () => {
    const name = policyName("gone");
    await t.req("PUT", `sys/policies/acl/${name}`, { body: { policy: HCL } });
    expect((await t.req("DELETE", `sys/policies/acl/${name}`)).status).toBe(204);
    const resp = await t.req("GET", `sys/policies/acl/${name}`);
    expect(resp.status).toBe(404);
    expect(resp.json).toEqual({ errors: [] });
  });

  test("refuses a write with no policy text", async () => {
    const resp = await t.req("PUT", `sys/policies/acl/${policyName("empty")}`, { body: {} });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ["'policy' parameter not supplied or empty"] });
  });

  test("refuses to change the root policy", async () => {
    const resp = await t.req("PUT", "sys/policies/acl/root", { body: { policy: HCL } });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ['cannot update "root" policy'] });
  });

  test("refuses to delete the root policy", async () => {
    const resp = await t.req("DELETE", "sys/policies/acl/root");
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ['cannot delete "root" policy'] });
  });

  test("refuses to delete the default policy but lets it be changed", async () => {
    const resp = await t.req("DELETE", "sys/policies/acl/default");
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ["cannot delete default policy"] });
    const original = (await t.req("GET", "sys/policies/acl/default")).json.data.policy;
    expect(original).toContain('path "auth/token/lookup-self"');
    expect((await t.req("PUT", "sys/policies/acl/default", { body: { policy: original } })).status).toBe(204);
  });
});

describe("sys/policy (legacy)", () => {
  test("lists names under both policies and keys", async () => {
    const resp = await t.req("GET", "sys/policy");
    expect(resp.status).toBe(200);
    expect(resp.json.data.policies).toEqual(resp.json.data.keys);
    expect(resp.json.data.policies).toEqual(expect.arrayContaining(["default", "root"]));
    expect(resp.json.policies).toEqual(resp.json.data.policies);
  });

  test("returns the text as rules", async () => {
    const name = policyName("legacy");
    await t.req("PUT", `sys/policies/acl/${name}`, { body: { policy: HCL } });
    const resp = await t.req("GET", `sys/policy/${name}`);
    expect(resp.json.data).toMatchObject({ name, rules: HCL });
    expect(resp.json.rules).toBe(HCL);
  });

  test("accepts the text as rules, with a deprecation warning", async () => {
    const name = policyName("rules");
    const resp = await t.req("PUT", `sys/policy/${name}`, { body: { rules: HCL } });
    expect(resp.status).toBe(200);
    expect(resp.json.warnings).toEqual(["'rules' is deprecated, please use 'policy' instead"]);
    expect((await t.req("GET", `sys/policies/acl/${name}`)).json.data.policy).toBe(HCL);
  });

  test("accepts the text as policy with 204", async () => {
    const name = policyName("policy");
    expect((await t.req("PUT", `sys/policy/${name}`, { body: { policy: HCL } })).status).toBe(204);
  });
});
