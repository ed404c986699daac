import { describe, expect, test } from "bun:test";
import { globToRegExp } from "../../src/audit/glob.ts";
import { compileScope, normaliseMount } from "../../src/audit/scope.ts";
import { CourierError } from "../../src/errors.ts";

describe("globs", () => {
  test.each([
    ["secret/app/**", "secret/app/db", true],
    ["secret/app/**", "secret/app/a/b/c", true],
    ["secret/app/**", "secret/app", false],
    ["secret/app/**", "secret/application/x", false],
    ["secret/*/db", "secret/app/db", true],
    ["secret/*/db", "secret/a/b/db", false],
    ["secret/**/db", "secret/db", true],
    ["secret/**/db", "secret/a/b/db", true],
    ["secret/**/db", "secret/a/b/dbx", false],
    ["*/app/*", "kv/app/x", true],
    ["*/app/*", "kv/app/x/y", false],
    ["kv/key-?", "kv/key-1", true],
    ["kv/key-?", "kv/key-/", false],
    ["kv/a.b", "kv/a.b", true],
    ["kv/a.b", "kv/aXb", false],
    ["kv/(x)+[y]{1}$^|\\", "kv/(x)+[y]{1}$^|\\", true],
    ["**", "anything/at/all", true],
    ["team-a/secret/**", "team-a/secret/app", true],
  ])("%p matches %p: %p", (glob, name, expected) => {
    expect(globToRegExp(glob).test(name)).toBe(expected);
  });

  test("an empty glob is a configuration error", () => {
    expect(() => compileScope({ include: [""] })).toThrow(CourierError);
  });
});

describe("compileScope", () => {
  test("with nothing set, every KV mount and every path is in scope and policies are on", () => {
    const scope = compileScope();
    expect(scope.policies).toBe(true);
    expect(scope.mountInScope("", "anything/")).toBe(true);
    expect(scope.kvPathInScope("", "anything/", "x")).toBe(true);
    expect(scope.policyInScope("", "admins")).toBe(true);
  });

  test("exclude wins over include", () => {
    const scope = compileScope({ include: ["secret/**"], exclude: ["secret/tmp/**"] });
    expect(scope.kvPathInScope("", "secret/", "app")).toBe(true);
    expect(scope.kvPathInScope("", "secret/", "tmp/x")).toBe(false);
  });

  test.each([
    ["secret", "secret/"],
    ["/secret/", "secret/"],
    ["team-a/kv", "team-a/kv/"],
  ])("normalises the mount %p to %p", (mount, expected) => {
    expect(normaliseMount(mount)).toBe(expected);
  });
});
