import { describe, expect, test } from "bun:test";
import { InMemoryMountTable } from "../../src/audit/mount-table.ts";
import { CourierError } from "../../src/errors.ts";
import { mountInfo } from "../../src/vault/mounts.ts";

describe("InMemoryMountTable", () => {
  const table = new InMemoryMountTable();
  table.set("", [
    mountInfo("a/", { type: "kv" }),
    mountInfo("a/b/", { type: "kv", options: { version: "2" } }),
    mountInfo("x/y/", { type: "pki" }),
  ]);
  table.setFromResponse("team-a/", { data: { "a/": { type: "kv", options: { version: "2" } } } });

  test.each([
    ["", "a/c/d", "a/"],
    ["", "a/b/data/c", "a/b/"],
    ["", "a/bc", "a/"],
    ["", "a", "a/"],
    ["", "a/b", "a/b/"],
    ["", "a/b/data/deep/down/a/secret", "a/b/"],
    ["", "x", undefined],
    ["", "x/y/issue/r", "x/y/"],
    ["", "x/z", undefined],
    ["", "", undefined],
    ["team-a/", "a/b/data/c", "a/"],
    ["team-b/", "a/c", undefined],
  ])("in namespace %p, %p is in mount %p", (namespace, path, mount) => {
    expect(table.lookup(namespace, path)?.path).toBe(mount as string | undefined);
  });

  test("knows which namespaces it holds and lists their mounts", () => {
    expect(table.has("team-a/")).toBe(true);
    expect(table.has("team-b/")).toBe(false);
    expect(table.mounts("").map((m) => m.path)).toEqual(["a/", "a/b/", "x/y/"]);
  });

  test("a refresh replaces a namespace's mounts", () => {
    const t = new InMemoryMountTable();
    t.set("", [mountInfo("old/", { type: "kv" })]);
    t.setFromResponse("", { "new/": { type: "kv", description: "team", options: { version: "2" } } });
    expect(t.lookup("", "old/k")).toBeUndefined();
    expect(t.lookup("", "new/data/k")).toEqual({
      path: "new/",
      type: "kv",
      description: "team",
      options: { version: "2" },
      kvVersion: 2,
    });
  });

  test("refuses a sys/mounts answer that is not an object", () => {
    expect(() => new InMemoryMountTable().setFromResponse("", [])).toThrow(CourierError);
  });
});
