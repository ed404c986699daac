import { describe, expect, test } from "bun:test";
import { errorsOf, isCleanNotFound, vaultPath } from "../../src/vault/http.ts";

describe("isCleanNotFound", () => {
  test.each([
    [404, { errors: [] }, true],
    [404, { errors: ['no handler for route "x/y". route entry not found.'] }, false],
    [404, { data: { data: null, metadata: { version: 2, destroyed: true } }, errors: [] }, false],
    [404, { data: { data: null, metadata: { version: 2, destroyed: true } } }, false],
    [404, undefined, false],
    [404, "<html>not found</html>", false],
    [200, { errors: [] }, false],
    [500, { errors: [] }, false],
  ])("%i %j is absent: %p", (status, body, absent) => {
    expect(isCleanNotFound({ status, body })).toBe(absent);
  });
});

describe("errorsOf", () => {
  test.each([
    [{ errors: ["permission denied"] }, ["permission denied"]],
    [{ errors: [] }, []],
    [{ data: {} }, null],
    [undefined, null],
    ["text", null],
  ])("errorsOf(%j) → %j", (body, errors) => {
    expect(errorsOf(body)).toEqual(errors);
  });
});

describe("vaultPath", () => {
  test.each([
    [["secret/", "data", "app/db"], "secret/data/app/db"],
    [["secret/", "metadata", ""], "secret/metadata/"],
    [["secret/", "metadata", "team/"], "secret/metadata/team/"],
    [["kv/", "a b/c?d#e%"], "kv/a%20b/c%3Fd%23e%25"],
    [["sys/policies/acl", "admins"], "sys/policies/acl/admins"],
    [["kv//", "a//b"], "kv/a/b"],
    [["/kv", "a//"], "kv/a/"],
    [["kv/", "ünïcode/ok_1.2~x"], "kv/%C3%BCn%C3%AFcode/ok_1.2~x"],
  ])("vaultPath(%j) → %s", (parts, path) => {
    expect(vaultPath(...parts)).toBe(path);
  });
});
