import { describe, expect, test } from "bun:test";
import {
  describeMissing,
  destinationRights,
  missingRights,
  type RightsScope,
  renderPolicy,
  setupRights,
  sourceRights,
} from "../../src/setup/rights.ts";

const both: RightsScope = {
  mounts: [
    { path: "secret/", version: 2 },
    { path: "kv1/", version: 1 },
  ],
  policies: true,
  createMounts: true,
};

/** path → capabilities, the part of the table a policy is made of. */
const table = (rights: ReturnType<typeof sourceRights>) =>
  Object.fromEntries(rights.map((right) => [right.path, right.capabilities]));

describe("the rights table", () => {
  test("the source token reads the mount table, reads and lists each KV mount by its version, and reads policies", () => {
    expect(table(sourceRights(both))).toEqual({
      "sys/mounts": ["read"],
      "secret/data/*": ["read"],
      "secret/metadata/*": ["read", "list"],
      "kv1/*": ["read", "list"],
      "sys/policies/acl/*": ["read", "list"],
    });
  });

  test("a destination token writes what the source token reads, plus KV v2's version paths and new mounts", () => {
    expect(table(destinationRights(both))).toEqual({
      "secret/data/*": ["create", "read", "update", "delete"],
      "secret/metadata/*": ["create", "read", "update", "delete", "list"],
      "secret/delete/*": ["update"],
      "secret/undelete/*": ["update"],
      "secret/destroy/*": ["update"],
      "kv1/*": ["create", "read", "update", "delete", "list"],
      "sys/policies/acl/*": ["read", "update", "delete", "list"],
      "sys/mounts/*": ["update"],
    });
  });

  test.each([
    [
      "policies off: no sys/policies/acl rights",
      { policies: false, createMounts: true },
      "sys/policies/acl/*",
      false,
    ],
    [
      "create_mounts off: no sys/mounts rights",
      { policies: true, createMounts: false },
      "sys/mounts/*",
      false,
    ],
    ["both on: both there", { policies: true, createMounts: true }, "sys/mounts/*", true],
  ])("%s", (_, flags, path, present) => {
    const paths = destinationRights({ mounts: [], ...flags }).map((right) => right.path);
    expect(paths.includes(path)).toBe(present);
  });

  test("setup needs sudo on sys/audit and on each device path, and delete there only to replace", () => {
    expect(table(setupRights(["courier-file", "courier"], false))).toEqual({
      "sys/audit": ["read", "sudo"],
      "sys/audit/courier-file": ["update", "sudo"],
      "sys/audit/courier": ["update", "sudo"],
    });
    expect(table(setupRights(["courier"], true))["sys/audit/courier"]).toEqual(["update", "delete", "sudo"]);
    expect(setupRights([], false)).toEqual([]);
  });
});

describe("what a token lacks", () => {
  const rights = [
    { path: "secret/data/*", capabilities: ["read"] as const, why: "" },
    { path: "secret/metadata/*", capabilities: ["read", "list"] as const, why: "" },
  ].map((right) => ({ ...right, capabilities: [...right.capabilities] }));

  test.each([
    ["a root token lacks nothing", { "secret/data/*": ["root"], "secret/metadata/*": ["root"] }, []],
    [
      "everything granted",
      { "secret/data/*": ["read"], "secret/metadata/*": ["list", "read", "update"] },
      [],
    ],
    [
      "one capability short",
      { "secret/data/*": ["read"], "secret/metadata/*": ["read"] },
      [{ path: "secret/metadata/*", capability: "list" }],
    ],
    [
      "deny takes everything away",
      { "secret/data/*": ["deny"], "secret/metadata/*": ["read", "list"] },
      [{ path: "secret/data/*", capability: "read" }],
    ],
    [
      "a path Vault did not answer for counts as nothing granted",
      { "secret/data/*": ["read"] },
      [
        { path: "secret/metadata/*", capability: "read" },
        { path: "secret/metadata/*", capability: "list" },
      ],
    ],
  ])("%s", (_, granted, expected) => {
    expect(missingRights(rights, granted)).toEqual(expected as never);
  });

  test("each missing right is one line: the Vault, the capability, the path and the policy line", () => {
    expect(
      describeMissing("source http://127.0.0.1:8200", { path: "secret/data/*", capability: "read" }),
    ).toBe(
      'source http://127.0.0.1:8200 lacks "read" on secret/data/*: path "secret/data/*" { capabilities = ["read"] }',
    );
  });
});

describe("a policy in HCL", () => {
  test("has one commented block per path, rights on the same path merged", () => {
    const text = renderPolicy("courier-source", "Courier's token on the source Vault", [
      { path: "sys/mounts", capabilities: ["read"], why: "the mount table" },
      { path: "sys/audit", capabilities: ["read"], why: "list devices" },
      { path: "sys/audit", capabilities: ["read", "sudo"], why: "sudo for sys/audit" },
    ]);
    expect(text).toBe(
      [
        "# courier-source: Courier's token on the source Vault",
        "",
        "# the mount table",
        'path "sys/mounts" {',
        '  capabilities = ["read"]',
        "}",
        "",
        "# list devices; sudo for sys/audit",
        'path "sys/audit" {',
        '  capabilities = ["read", "sudo"]',
        "}",
        "",
      ].join("\n"),
    );
  });
});
