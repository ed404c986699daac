// ACL evaluation as Vault does it, as tables: which rule applies to a path, and what it grants.
import { describe, expect, test } from "bun:test";
import type { NamespaceState } from "../state.ts";
import type { Capability, TokenEntry } from "../types.ts";
import { aclFor } from "./acl.ts";

function nsWith(policies: Record<string, string>, path = ""): NamespaceState {
  return {
    ns: { id: path === "" ? "root" : "ns1", path },
    mounts: new Map(),
    backends: new Map(),
    policies: new Map(Object.entries(policies)),
    children: new Set(),
    customMetadata: {},
  } as NamespaceState;
}

function token(policies: string[]): TokenEntry {
  return {
    id: "t",
    accessor: "a",
    policies,
    namespace: { id: "root", path: "" },
    displayName: "token",
    meta: null,
    ttl: 60,
    explicitMaxTtl: 0,
    period: 0,
    renewable: true,
    orphan: false,
    numUses: 0,
    type: "service",
    path: "auth/token/create",
    issuedAt: 0,
    expiresAt: 0,
    entityId: "",
  };
}

const acl = (policies: Record<string, string>, names = Object.keys(policies)) =>
  aclFor(token(names), nsWith(policies));
const rule = (path: string, caps: Capability[]) =>
  `path "${path}" { capabilities = ${JSON.stringify(caps)} }\n`;

describe("which rule applies", () => {
  test.each([
    [
      "an exact rule beats a glob that also matches",
      rule("secret/foo", ["read"]) + rule("secret/*", ["create"]),
      "secret/foo",
      ["read"],
    ],
    [
      "a glob covers what has no exact rule",
      rule("secret/foo", ["read"]) + rule("secret/*", ["create"]),
      "secret/bar",
      ["create"],
    ],
    [
      "the longest * prefix wins",
      rule("secret/*", ["read"]) + rule("secret/super/*", ["deny"]),
      "secret/super/x",
      ["deny"],
    ],
    [
      "a shorter prefix still covers other paths",
      rule("secret/*", ["read"]) + rule("secret/super/*", ["deny"]),
      "secret/other",
      ["read"],
    ],
    ["* matches inside a segment", rule("secret/ab*", ["read"]), "secret/abc/d", ["read"]],
    ["+ matches exactly one segment", rule("secret/+/teamb", ["read"]), "secret/foo/teamb", ["read"]],
    ["+ does not match two segments", rule("secret/+/teamb", ["read"]), "secret/foo/bar/teamb", ["deny"]],
    ["+ then * matches deeper paths", rule("secret/+/data/*", ["update"]), "secret/x/data/a/b", ["update"]],
    [
      "a later first wildcard wins: secret/a* over secret/+",
      rule("secret/a*", ["read"]) + rule("secret/+", ["list"]),
      "secret/ab",
      ["read"],
    ],
    [
      "at the same position a segment rule beats a prefix",
      rule("secret/*", ["read"]) + rule("secret/+/x", ["list"]),
      "secret/a/x",
      ["list"],
    ],
    ["fewer + segments win", rule("a/+/+/d", ["read"]) + rule("a/b/+/d", ["list"]), "a/b/c/d", ["list"]],
    ["no rule at all is deny", rule("secret/*", ["read"]), "sys/mounts", ["deny"]],
    ["a rule with no capabilities grants nothing", rule("a", []), "a", ["deny"]],
    [
      "the old write form grants the five data capabilities",
      'path "a/*" { policy = "write" }',
      "a/b",
      ["create", "delete", "list", "read", "update"],
    ],
    [
      "sudo and patch are capabilities too",
      rule("sys/audit/*", ["sudo", "update", "patch"]),
      "sys/audit/x",
      ["patch", "sudo", "update"],
    ],
  ])("%s", (_name, text, path, expected) => {
    expect(acl({ p: text }).capabilities(path)).toEqual(expected);
  });

  test("a rule without a trailing slash also grants list on the folder with one", () => {
    const a = acl({ p: rule("secret/metadata", ["list"]) });
    expect(a.allows("secret/metadata/", "list")).toBe(true);
    expect(a.allows("secret/metadata/", "read")).toBe(false);
  });

  test("a folder rule with a slash does not grant reads of the path without it", () => {
    expect(acl({ p: rule("secret/metadata/", ["read"]) }).allows("secret/metadata", "read")).toBe(false);
  });
});

describe("several policies", () => {
  test("capabilities for the same path add up across policies", () => {
    const a = acl({ r: rule("secret/x", ["read"]), w: rule("secret/x", ["update"]) });
    expect(a.capabilities("secret/x")).toEqual(["read", "update"]);
  });

  test("deny in any policy wins over grants in the others", () => {
    const a = acl({ r: rule("secret/x", ["read", "update"]), d: rule("secret/x", ["deny"]) });
    expect(a.capabilities("secret/x")).toEqual(["deny"]);
    expect(a.allows("secret/x", "read")).toBe(false);
  });

  test("policies the token does not hold, or that do not exist, grant nothing", () => {
    const a = aclFor(token(["ghost"]), nsWith({ other: rule("secret/*", ["read"]) }));
    expect(a.allows("secret/a", "read")).toBe(false);
  });

  test("check names the policies that granted the capability", () => {
    const a = acl({ r: rule("secret/x", ["read"]), both: rule("secret/x", ["read", "update"]) });
    expect(a.check("secret/x", "read")).toEqual({
      allowed: true,
      grantingPolicies: [
        { name: "r", namespaceId: "root" },
        { name: "both", namespaceId: "root" },
      ],
    });
    expect(a.check("secret/x", "delete")).toEqual({ allowed: false });
  });

  test("the root policy allows everything and reports the root capability", () => {
    const a = aclFor(token(["root"]), nsWith({}));
    expect(a.allows("anything/at/all", "sudo")).toBe(true);
    expect(a.capabilities("sys/audit/x")).toEqual(["root"]);
    expect(a.check("x", "read").grantingPolicies).toEqual([{ name: "root", namespaceId: "root" }]);
  });

  test("a namespace's policies are its own: the same name elsewhere grants nothing here", () => {
    const here = nsWith({ app: rule("secret/*", ["read"]) }, "team-a/");
    const there = nsWith({ app: rule("kv/*", ["read"]) });
    expect(aclFor(token(["app"]), here).allows("secret/x", "read")).toBe(true);
    expect(aclFor(token(["app"]), there).allows("secret/x", "read")).toBe(false);
    expect(aclFor(token(["app"]), here).check("secret/x", "read").grantingPolicies).toEqual([
      { name: "app", namespaceId: "ns1", namespacePath: "team-a/" },
    ]);
  });
});
