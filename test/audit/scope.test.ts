import { describe, expect, test } from "bun:test";
import {
  compileScope,
  globMatchesUnder,
  globsMatchingNothing,
  globToRegExp,
  normaliseMount,
} from "../../src/audit/scope.ts";
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
    // The documented forms: the mount is part of the name.
    ["secret/app/**", "app/db", false],
    ["app/**", "secret/app/db", false],
    ["*/app/**", "secret/app/db", true],
    ["*/app/**", "team/kv/app/db", false],
    ["**/app/**", "team/kv/app/db", true],
  ])("%p matches %p: %p", (glob, name, expected) => {
    expect(globToRegExp(glob).test(name)).toBe(expected);
  });

  test("an empty glob is a configuration error", () => {
    expect(() => compileScope({ include: [""] })).toThrow(CourierError);
  });
});

describe("can a glob match a key in a mount", () => {
  test.each([
    ["secret/app/**", "secret/", true],
    ["secret/app/**", "kv/", false],
    ["app/**", "secret/", false], // written relative to the mount: matches nothing
    ["secret/**", "secret/", true],
    ["secret/*", "secret/", true],
    ["secret/*", "secret/app/", false], // * never crosses the "/" the mount ends with
    ["secret/app", "secret/", true],
    ["secret", "secret/", false], // the mount itself, not a key in it
    ["secret/", "secret/", false],
    ["secret/app/", "secret/", false], // a folder: a key never ends in "/"
    ["secret/**/", "secret/", false],
    ["*/app/**", "secret/", true],
    ["*/app/**", "team/kv/", false],
    ["**/app/**", "team/kv/", true],
    ["**/db", "team/kv/", true],
    ["secret/**/db", "secret/", true],
    ["secret/**/db", "secret/a/b/", true],
    ["secret/**/db", "kv/", false],
    ["s?cret/*", "secret/", true],
    ["s?cret/*", "s/cret/", false],
    ["**", "anything/", true],
    ["team-a/secret/**", "team-a/secret/", true],
    ["secret/**", "team-a/secret/", false],
    ["*/secret/**", "team-a/secret/", true],
    ["sys/policies/acl/internal-*", "sys/policies/acl/", true],
  ])("%p under %p: %p", (glob, mount, expected) => {
    expect(globMatchesUnder(glob, mount)).toBe(expected);
  });
});

describe("globs that can match nothing in scope", () => {
  const sourceMounts = ["kv/", "secret/", "team-a/apps/"];
  const namespaces = ["", "team-a/"];
  const problems = (scope: Parameters<typeof globsMatchingNothing>[0]) =>
    globsMatchingNothing(scope, sourceMounts, namespaces);

  test("globs that name a mount in scope, or no globs at all, are fine", () => {
    expect(problems({})).toEqual([]);
    expect(problems({ include: ["secret/app/**", "*/app/**", "team-a/apps/**"] })).toEqual([]);
    expect(
      problems({ exclude: ["kv/tmp/**", "sys/policies/acl/internal-*", "team-a/sys/policies/acl/x"] }),
    ).toEqual([]);
  });

  test("an include written relative to the mount is refused, with the mounts in scope and the globs it may mean", () => {
    expect(problems({ include: ["secret/ok/**", "app/**"] })).toEqual([
      'sync.include "app/**" can match no key in the KV mounts in scope (kv/, secret/, team-a/apps/): a glob is matched against "<mount><path>"; did you mean "kv/app/**" or "secret/app/**" or "team-a/apps/app/**"?',
    ]);
  });

  test("with sync.mounts set, the mounts it names are the mounts in scope, whatever the source holds", () => {
    expect(problems({ mounts: ["kv"], include: ["secret/app/**"] })).toEqual([
      'sync.include "secret/app/**" can match no key in the KV mounts in scope (kv/): a glob is matched against "<mount><path>"; did you mean "kv/secret/app/**"?',
    ]);
    expect(problems({ mounts: ["new/"], include: ["new/app/**"] })).toEqual([]);
  });

  test("an include cannot name policies: they follow sync.policies and sync.exclude", () => {
    expect(problems({ include: ["sys/policies/acl/*"] })).toEqual([
      'sync.include "sys/policies/acl/*" can match no key in the KV mounts in scope (kv/, secret/, team-a/apps/): sync.include selects KV keys only; ACL policies follow sync.policies and sync.exclude',
    ]);
  });

  test("an exclude that can exclude nothing is refused too, naming policies as the other thing it may match", () => {
    expect(problems({ exclude: ["tmp/**"] })).toEqual([
      'sync.exclude "tmp/**" can match no key in the KV mounts in scope (kv/, secret/, team-a/apps/) nor an ACL policy (sys/policies/acl/<name>): a glob is matched against "<mount><path>"; did you mean "kv/tmp/**" or "secret/tmp/**" or "team-a/apps/tmp/**"?',
    ]);
  });

  test("a folder glob is pointed at everything under it", () => {
    expect(problems({ include: ["secret/app/"] })).toEqual([
      'sync.include "secret/app/" can match no key in the KV mounts in scope (kv/, secret/, team-a/apps/): a glob is matched against "<mount><path>"; did you mean "secret/app/**"?',
    ]);
  });

  test("a source with no KV mount in scope says so, and a long mount list is cut short", () => {
    expect(globsMatchingNothing({ include: ["secret/**"] }, [], [""])).toEqual([
      'sync.include "secret/**" can match no key in the KV mounts in scope (there are none): a glob is matched against "<mount><path>", e.g. "secret/app/**"',
    ]);
    const many = Array.from({ length: 10 }, (_, i) => `m${i}/`);
    expect(globsMatchingNothing({ include: ["x/y/**"] }, many, [""])[0]).toContain(
      "(m0/, m1/, m2/, m3/, m4/, m5/, m6/, m7/, and 2 more)",
    );
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
