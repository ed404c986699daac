// The pure pieces of the KV engines: folder listing, merge patch, version pruning, auto-deletion,
// KV v2 routing and subkeys.
import { describe, expect, test } from "bun:test";
import { childKeys, mergePatch } from "./kv-shared.ts";
import { routeOf } from "./kv-v2/index.ts";
import { addVersion, autoDeletionMs, newKeyMeta } from "./kv-v2/store.ts";
import { removeValues } from "./kv-v2/subkeys.ts";

describe("childKeys lists one folder level", () => {
  const keys = ["a", "b/c", "b/d", "x/y/z", "ab"];
  test.each([
    ["", ["a", "ab", "b/", "x/"]],
    ["b/", ["c", "d"]],
    ["x/", ["y/"]],
    ["nope/", []],
  ])("under %p → %p", (prefix, children) => {
    expect(childKeys(keys, prefix)).toEqual(children);
  });
});

describe("mergePatch follows RFC 7396", () => {
  test.each([
    [{ a: 1, b: 2 }, { b: null }, { a: 1 }],
    [{ a: { x: 1 } }, { a: { y: 2 } }, { a: { x: 1, y: 2 } }],
    [{ a: [1, 2] }, { a: [3] }, { a: [3] }],
    [{ a: 1 }, { a: { b: 1 } }, { a: { b: 1 } }],
    [{ a: { x: 1 } }, { a: "s" }, { a: "s" }],
  ])("%p + %p → %p", (target, patch, result) => {
    expect(mergePatch(target, patch)).toEqual(result);
  });
});

describe("addVersion prunes like KeyMetadata.AddVersion", () => {
  const version = () => ({ created: { ms: 0, text: "" }, deletion: null, destroyed: false, data: {} });

  test.each([
    // [key max_versions, mount max_versions, writes, versions kept, oldest_version]
    [0, 0, 3, [1, 2, 3], 0],
    [0, 0, 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1],
    [0, 0, 12, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 3],
    [2, 0, 4, [3, 4], 3],
    [2, 5, 6, [2, 3, 4, 5, 6], 2],
    [1, 0, 3, [3], 3],
  ])(
    "key max %p, mount max %p, %p writes → versions %p, oldest %p",
    (keyMax, mountMax, writes, kept, oldest) => {
      const meta = { ...newKeyMeta(), maxVersions: keyMax };
      for (let i = 0; i < writes; i++) addVersion(meta, version(), mountMax);
      expect([...meta.versions.keys()]).toEqual(kept);
      expect(meta.oldestVersion).toBe(oldest);
      expect(meta.currentVersion).toBe(writes);
    },
  );
});

describe("autoDeletionMs takes the shorter of the mount's and the key's delete_version_after", () => {
  test.each([
    [0, 0, undefined],
    [60, 0, 61_000],
    [0, 30, 31_000],
    [60, 30, 31_000],
    [30, 60, 31_000],
    [-1, 30, undefined],
  ])("mount %p s, key %p s → %p", (mount, key, at) => {
    expect(autoDeletionMs(1000, mount, key)).toBe(at as number | undefined);
  });
});

describe("KV v2 routes a path inside the mount", () => {
  test.each([
    ["config", "config", ""],
    ["data/app/db", "data", "app/db"],
    ["data/app/", "invalid", ""],
    ["data", "invalid", ""],
    ["metadata/", "metadata", ""],
    ["metadata/app/", "metadata", "app/"],
    ["destroy/app", "destroy", "app"],
    ["subkeys/app", "subkeys", "app"],
    ["app", "invalid", ""],
    ["other/app", "invalid", ""],
  ])("%p → %p %p", (subpath, kind, key) => {
    expect(routeOf(subpath)).toEqual({ kind, key } as ReturnType<typeof routeOf>);
  });
});

describe("subkeys replace leaves with null", () => {
  test.each([
    [{ a: 1, b: { c: 2 } }, 0, { a: null, b: { c: null } }],
    [{ a: 1, b: { c: 2 } }, 1, { a: null, b: null }],
    [{ a: { b: { c: 1 } } }, 2, { a: { b: null } }],
    [{ a: {} }, 0, { a: null }],
    [{ a: [1, 2] }, 0, { a: null }],
  ])("%p at depth %p → %p", (data, depth, shape) => {
    expect(removeValues(data, depth, 1)).toEqual(shape);
  });
});
