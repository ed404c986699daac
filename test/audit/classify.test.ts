import { describe, expect, test } from "bun:test";
import {
  type ClassifyResult,
  classify,
  describeIgnore,
  IGNORE_REASONS,
  type IgnoreReason,
} from "../../src/audit/classify.ts";
import { InMemoryMountTable } from "../../src/audit/mount-table.ts";
import type { AuditEntry } from "../../src/audit/parse.ts";
import { compileScope, type Scope } from "../../src/audit/scope.ts";
import { POLICY_MOUNT } from "../../src/sync-key.ts";
import { mountInfo } from "../../src/vault/mounts.ts";

function entry(path: string, more: Partial<AuditEntry> = {}): AuditEntry {
  return {
    type: "response",
    operation: "update",
    path,
    namespace: "",
    error: false,
    mountPoint: undefined,
    mountType: undefined,
    remoteAddress: "127.0.0.1",
    ...more,
  };
}

const mounts = new InMemoryMountTable();
mounts.set("", [
  mountInfo("kv/", { type: "kv" }),
  mountInfo("secret/", { type: "kv", options: { version: "2" } }),
  mountInfo("old/", { type: "generic" }),
  mountInfo("team/", { type: "kv" }),
  mountInfo("team/kv/", { type: "kv", options: { version: "2" } }),
  mountInfo("transit/", { type: "transit" }),
  mountInfo("cubbyhole/", { type: "cubbyhole" }),
]);
mounts.set("team-a/", [mountInfo("secret/", { type: "kv", options: { version: "2" } })]);

const kv = (mount: string, path: string, namespace = ""): ClassifyResult => ({
  action: "sync",
  key: { kind: "kv", namespace, mount, path },
});
/** A KV v2 key written through data/, delete/, undelete/ or destroy/: its settings stay as they were. */
const kvData = (mount: string, path: string, namespace = ""): ClassifyResult => ({
  action: "sync",
  key: { kind: "kv", namespace, mount, path },
  dataPath: true,
});
const policy = (path: string, namespace = ""): ClassifyResult => ({
  action: "sync",
  key: { kind: "policy", namespace, mount: POLICY_MOUNT, path },
});
const ignore = (reason: IgnoreReason): ClassifyResult => ({ action: "ignore", reason });

function run(e: AuditEntry, scope: Scope = {}): ClassifyResult {
  return classify(e, mounts, compileScope(scope));
}

describe("classify", () => {
  test.each([
    ["a KV v1 create", entry("kv/app/db", { operation: "create" }), kv("kv/", "app/db")],
    ["a KV v1 delete", entry("kv/app/db", { operation: "delete" }), kv("kv/", "app/db")],
    ["a write on an old 'generic' mount", entry("old/a"), kv("old/", "a")],
    ["a KV v1 folder", entry("kv/app/"), ignore("not_a_secret")],
    ["the KV v1 mount itself", entry("kv"), ignore("not_a_secret")],
    ["a KV v2 data write", entry("secret/data/app/db"), kvData("secret/", "app/db")],
    ["a KV v2 patch", entry("secret/data/app/db", { operation: "patch" }), kvData("secret/", "app/db")],
    [
      "a KV v2 data delete",
      entry("secret/data/app/db", { operation: "delete" }),
      kvData("secret/", "app/db"),
    ],
    ["a KV v2 metadata write", entry("secret/metadata/app/db"), kv("secret/", "app/db")],
    [
      "a KV v2 metadata delete",
      entry("secret/metadata/app/db", { operation: "delete" }),
      kv("secret/", "app/db"),
    ],
    ["a KV v2 delete of versions", entry("secret/delete/app/db"), kvData("secret/", "app/db")],
    ["a KV v2 undelete", entry("secret/undelete/app/db"), kvData("secret/", "app/db")],
    ["a KV v2 destroy", entry("secret/destroy/app/db"), kvData("secret/", "app/db")],
    ["a KV v2 mount's config", entry("secret/config"), ignore("kv_config")],
    ["KV v2 subkeys (read-only)", entry("secret/subkeys/app/db"), ignore("not_a_secret")],
    ["a KV v2 path without data/", entry("secret/app/db"), ignore("not_a_secret")],
    ["KV v2 data/ with no key", entry("secret/data/"), ignore("not_a_secret")],
    [
      "a KV v2 metadata folder",
      entry("secret/metadata/app/", { operation: "delete" }),
      ignore("not_a_secret"),
    ],
    ["the longest mount prefix wins", entry("team/kv/data/x"), kvData("team/kv/", "x")],
    ["the shorter mount still holds its own paths", entry("team/other"), kv("team/", "other")],
  ])("%s", (_name, e, expected) => {
    expect(run(e)).toEqual(expected);
  });

  test.each([
    ["a request entry", entry("kv/a", { type: "request" }), ignore("not_response")],
    ["another entry type", entry("kv/a", { type: "kmip-response" }), ignore("not_response")],
    ["a failed request", entry("kv/a", { error: true }), ignore("failed_request")],
    ["a read", entry("kv/a", { operation: "read" }), ignore("not_a_write")],
    ["a list", entry("secret/metadata/", { operation: "list" }), ignore("not_a_write")],
    ["an unknown operation", entry("kv/a", { operation: "rollback" }), ignore("not_a_write")],
    ["cubbyhole", entry("cubbyhole/mine"), ignore("cubbyhole")],
    ["an auth login, a write under auth/", entry("auth/userpass/login/bob"), ignore("non_kv_mount")],
    ["identity", entry("identity/entity/name/bob"), ignore("non_kv_mount")],
    ["a transit write", entry("transit/encrypt/k"), ignore("non_kv_mount")],
    ["sys/audit", entry("sys/audit/file"), ignore("system_path")],
    ["the sys/mounts list itself", entry("sys/mounts"), ignore("system_path")],
    ["a password policy", entry("sys/policies/password/p"), ignore("system_path")],
    ["the policy list path", entry("sys/policies/acl"), ignore("system_path")],
    ["a policy with an empty name", entry("sys/policies/acl/"), ignore("system_path")],
  ])("ignores %s", (_name, e, expected) => {
    expect(run(e)).toEqual(expected);
  });

  test.each([
    ["an ACL policy write", entry("sys/policies/acl/Admins"), policy("admins")],
    ["an ACL policy delete", entry("sys/policies/acl/ops", { operation: "delete" }), policy("ops")],
    ["a legacy policy write", entry("sys/policy/Ops"), policy("ops")],
    [
      "a policy in a namespace",
      entry("sys/policies/acl/dev", { namespace: "team-a/" }),
      policy("dev", "team-a/"),
    ],
  ])("turns %s into a policy key, lower-cased as Vault stores it", (_name, e, expected) => {
    expect(run(e)).toEqual(expected);
  });

  test.each([
    ["enabling a mount", "sys/mounts/newkv", ""],
    ["tuning a mount (a KV upgrade to v2 goes this way)", "sys/mounts/kv/tune", ""],
    ["moving a mount", "sys/remount", ""],
    ["enabling a mount in a namespace", "sys/mounts/x", "team-a/"],
  ])("asks for a mount-table refresh after %s", (_name, path, namespace) => {
    expect(run(entry(path, { namespace }))).toEqual({ action: "refresh-mounts", namespace });
  });

  test("a mount-table change that failed asks for nothing", () => {
    expect(run(entry("sys/mounts/newkv", { error: true }))).toEqual(ignore("failed_request"));
  });

  test.each([
    ["a path in no known mount", entry("newkv/app"), ""],
    ["a namespace never fetched", entry("secret/data/a", { namespace: "team-b/" }), "team-b/"],
    [
      "a policy of a namespace never fetched",
      entry("sys/policies/acl/dev", { namespace: "team-b/" }),
      "team-b/",
    ],
  ])("reports %s as an unknown mount", (_name, e, namespace) => {
    expect(run(e)).toEqual({ action: "unknown-mount", namespace, path: e.path });
  });

  test("keys carry the namespace and use that namespace's mount table", () => {
    expect(run(entry("secret/data/app/db", { namespace: "team-a/" }))).toEqual(
      kvData("secret/", "app/db", "team-a/"),
    );
    expect(run(entry("kv/app", { namespace: "team-a/" }))).toEqual({
      action: "unknown-mount",
      namespace: "team-a/",
      path: "kv/app",
    });
  });

  test.each([
    [
      "mount_type says kv on a transit path",
      entry("transit/encrypt/k", { mountType: "kv", mountPoint: "transit/" }),
    ],
    ["mount_point names a KV mount on a transit path", entry("transit/keys/k", { mountPoint: "kv/" })],
  ])("trusts the mount table over the entry: %s", (_name, e) => {
    expect(run(e)).toEqual(ignore("non_kv_mount"));
  });

  test("a KV path whose entry claims another mount type is still a KV key", () => {
    expect(run(entry("kv/app", { mountType: "transit", mountPoint: "transit/" }))).toEqual(kv("kv/", "app"));
  });

  test.each([
    ["a .. segment", "kv/a/../../sys/policy/x"],
    ["a . segment", "kv/./a"],
    ["a percent-encoded .. segment", "kv/%2e%2E/sys/policy/x"],
    ["an empty segment", "kv//a"],
    ["a leading slash", "/kv/a"],
    ["a backslash", "kv/a\\..\\b"],
    ["a control character", "kv/a\u0000b"],
    ["a newline", "kv/a\nb"],
  ])("refuses a path with %s", (_name, path) => {
    expect(run(entry(path))).toEqual(ignore("unsafe_path"));
  });

  test("refuses an unsafe namespace", () => {
    expect(run(entry("kv/a", { namespace: "../" }))).toEqual(ignore("unsafe_path"));
  });

  test("keeps ordinary punctuation in key names", () => {
    expect(run(entry("kv/a b/c?d#e%41.json"))).toEqual(kv("kv/", "a b/c?d#e%41.json"));
  });

  describe("with a scope", () => {
    test.each([
      ["a mount outside --sync.mounts", entry("kv/a"), { mounts: ["secret"] }, ignore("mount_out_of_scope")],
      [
        "a mount inside --sync.mounts",
        entry("secret/data/a"),
        { mounts: ["secret"] },
        kvData("secret/", "a"),
      ],
      [
        "a namespaced mount named with its namespace",
        entry("secret/data/a", { namespace: "team-a/" }),
        { mounts: ["team-a/secret/"] },
        kvData("secret/", "a", "team-a/"),
      ],
      [
        "the root mount of the same name when only the namespace's is in scope",
        entry("secret/data/a"),
        { mounts: ["team-a/secret/"] },
        ignore("mount_out_of_scope"),
      ],
      [
        "an included path",
        entry("secret/data/app/db"),
        { include: ["secret/app/**"] },
        kvData("secret/", "app/db"),
      ],
      [
        "a path not included",
        entry("secret/data/web/db"),
        { include: ["secret/app/**"] },
        ignore("path_out_of_scope"),
      ],
      [
        "an excluded path inside an included one",
        entry("secret/data/app/private/k"),
        { include: ["secret/app/**"], exclude: ["secret/app/private/*"] },
        ignore("path_out_of_scope"),
      ],
      [
        "a namespaced path matched with its namespace",
        entry("secret/data/app/db", { namespace: "team-a/" }),
        { include: ["team-a/secret/**"] },
        kvData("secret/", "app/db", "team-a/"),
      ],
      ["a policy with policies off", entry("sys/policy/x"), { policies: false }, ignore("policies_off")],
      [
        "a policy with an include list for secrets",
        entry("sys/policy/x"),
        { include: ["secret/**"] },
        policy("x"),
      ],
      [
        "an excluded policy",
        entry("sys/policies/acl/Admin-ops"),
        { exclude: ["sys/policies/acl/admin-*"] },
        ignore("path_out_of_scope"),
      ],
    ])("%s", (_name, e, scope, expected) => {
      expect(run(e, scope as Scope)).toEqual(expected as ClassifyResult);
    });
  });

  test("every ignore reason has a sentence", () => {
    for (const reason of IGNORE_REASONS) expect(describeIgnore(reason).length).toBeGreaterThan(10);
  });
});
