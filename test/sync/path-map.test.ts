import { describe, expect, test } from "bun:test";
import {
  destinationKey,
  destinationNamespaceOf,
  mapFor,
  parsePathMap,
  sourceNamespaceOf,
} from "../../src/sync/path-map.ts";
import type { SyncKey } from "../../src/sync-key.ts";

const map = parsePathMap([
  "secret/=mirror/",
  "team1/=dr/team1/",
  "team1/secret/=team1/kv/",
  "team1/sub/=other/",
]);
const kv = (namespace: string, mount: string): SyncKey => ({ kind: "kv", namespace, mount, path: "app/db" });
const policy = (namespace: string): SyncKey => ({
  kind: "policy",
  namespace,
  mount: "sys/policies/acl/",
  path: "ops",
});
const where = (key: SyncKey) => `${key.namespace}|${key.mount}`;

describe("where sync.map puts a source key on destinations", () => {
  test.each([
    ["a root mount named by a mapping moves", kv("", "secret/"), "|mirror/"],
    ["a root mount no mapping names stays", kv("", "kv/"), "|kv/"],
    ["a namespace moves with its mounts", kv("team1/", "kv2/"), "dr/team1/|kv2/"],
    ["and the namespaces below it", kv("team1/deep/", "kv2/"), "dr/team1/deep/|kv2/"],
    ["the longest FROM wins: a child namespace mapped on its own", kv("team1/sub/", "kv2/"), "other/|kv2/"],
    [
      "a mount mapped inside a namespace wins over the namespace's shorter mapping",
      kv("team1/", "secret/"),
      "team1/|kv/",
    ],
    ["a namespace no mapping names stays", kv("team2/", "secret/"), "team2/|secret/"],
    ["a policy moves with its namespace", policy("team1/"), "dr/team1/|sys/policies/acl/"],
    ["a policy stays where only a mount is mapped", policy(""), "|sys/policies/acl/"],
  ])("%s", (_, key, expected) => {
    const at = destinationKey(key, map);
    expect(where(at)).toBe(expected);
    expect(at.path).toBe(key.path);
  });

  test("a mapping that would move a mount out of its namespace is refused, naming it", () => {
    expect(() => destinationKey(kv("team2/", "kv/"), parsePathMap(["team2/kv/=elsewhere/"]))).toThrow(
      "sync.map team2/kv/=elsewhere/ would move mount team2/kv/ out of namespace team2/; map the namespace itself instead",
    );
  });

  test("a namespace made on a destination takes the custom_metadata of the one it stands for", () => {
    expect(sourceNamespaceOf("dr/team1/sub/", map)).toBe("team1/sub/");
    expect(sourceNamespaceOf("dr/", map)).toBeNull();
    expect(sourceNamespaceOf("team2/", map)).toBe("team2/");
  });

  test("a namespace lands where its policies do, whatever a mapping does to one of its mounts", () => {
    expect(destinationNamespaceOf("team1/", map)).toBe("dr/team1/");
    expect(destinationNamespaceOf("team1/deep/", map)).toBe("dr/team1/deep/");
    expect(destinationNamespaceOf("team1/sub/", map)).toBe("other/");
    expect(destinationNamespaceOf("", map)).toBe("");
    expect(destinationNamespaceOf("team2/", map)).toBe("team2/");
  });

  test("a destination with a map of its own follows that one; the others follow sync.map", () => {
    const own = parsePathMap(["secret/=dr/"]);
    const maps = { all: map, byDestination: { "http://dr2:8200": own } };
    expect(mapFor(maps, "http://dr2:8200/")).toBe(own);
    expect(mapFor(maps, "http://dr1:8200")).toBe(map);
    expect(mapFor(undefined, "http://dr1:8200")).toEqual([]);
  });
});
