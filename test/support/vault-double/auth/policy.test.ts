// Reading policy text: the HCL forms Vault accepts and the errors it gives for the rest.
import { describe, expect, test } from "bun:test";
import { DEFAULT_POLICY } from "../default-policy.ts";
import { DoubleHttpError } from "../errors.ts";
import { parsePolicy } from "./policy.ts";

const rulesOf = (hcl: string): unknown[] =>
  parsePolicy(hcl).rules.map((r) => [r.path, r.isPrefix, r.hasSegmentWildcards, r.capabilities]);

describe("policy text Vault accepts", () => {
  test.each([
    [
      "a block with a capability list",
      'path "secret/data/app" { capabilities = ["read", "list"] }',
      [["secret/data/app", false, false, ["read", "list"]]],
    ],
    [
      "a trailing * makes a prefix rule",
      'path "secret/*" { capabilities = ["read"] }',
      [["secret/", true, false, ["read"]]],
    ],
    [
      "+ marks segment wildcards, and the * stays part of the path",
      'path "secret/+/x*" { capabilities = ["read"] }',
      [["secret/+/x*", false, true, ["read"]]],
    ],
    [
      "a leading slash is dropped",
      'path "/sys/mounts" { capabilities = ["read"] }',
      [["sys/mounts", false, false, ["read"]]],
    ],
    [
      "deny overrides everything else in the block",
      'path "a" { capabilities = ["read", "deny", "list"] }',
      [["a", false, false, ["deny"]]],
    ],
    [
      'the old policy = "write" form',
      'path "a" { policy = "write" }',
      [["a", false, false, ["create", "read", "update", "delete", "list"]]],
    ],
    ['the old policy = "read" form', 'path "a" { policy = "read" }', [["a", false, false, ["read", "list"]]]],
    [
      'the old policy = "sudo" form',
      'path "a" { policy = "sudo" }',
      [["a", false, false, ["create", "read", "update", "delete", "list", "sudo"]]],
    ],
    [
      "# // and /* */ comments, commas, parameters",
      `# top
path "a" {  // trailing
  /* block
     comment */
  capabilities = ["create",]
  allowed_parameters = { "*" = [] }
  denied_parameters = { "x" = ["1", 2] }
  required_parameters = ["k"]
  min_wrapping_ttl = "1s"
}, path "b" { capabilities = [] }`,
      [
        ["a", false, false, ["create"]],
        ["b", false, false, []],
      ],
    ],
    [
      "a heredoc value",
      'path "a" {\n  comment = <<EOT\nfree text\nEOT\n  capabilities = ["read"]\n}',
      [["a", false, false, ["read"]]],
    ],
    ["the JSON form", '{"path": {"a/*": {"capabilities": ["update"]}}}', [["a/", true, false, ["update"]]]],
    ["empty text", "", []],
  ] as [string, string, unknown[]][])("%s", (_name, hcl, expected) => {
    expect(rulesOf(hcl)).toEqual(expected);
  });

  test("Vault's own default policy parses", () => {
    const paths = parsePolicy(DEFAULT_POLICY).rules.map((r) => r.path);
    expect(paths).toContain("auth/token/lookup-self");
    expect(paths).toContain("cubbyhole/");
  });
});

describe("policy text Vault refuses with 400 failed to parse policy", () => {
  test.each([
    [
      'path "a" { capabilities = ["read" }',
      "failed to parse policy: At 1:35: list expected comma or RBRACK got: }",
    ],
    ['path "a" {', "failed to parse policy: At 1:11: object expected closing RBRACE got: EOF"],
    ['path "a', "failed to parse policy: At 1:6: literal not terminated"],
    ['path "a" { capabilities = ["fly"] }', 'failed to parse policy: path "a": invalid capability "fly"'],
    ['path "a" { policy = "admin" }', 'failed to parse policy: path "a": invalid policy "admin"'],
    [
      'path "a/+*" { capabilities = ["read"] }',
      "failed to parse policy: path \"a/+*\": invalid use of wildcards ('+*' is forbidden)",
    ],
    [
      'paths "a" { capabilities = ["read"] }',
      'failed to parse policy: 1 error occurred:\n\t* invalid key "paths" on line 1\n\n',
    ],
    [
      'path "a" {\n  capabilitys = ["read"]\n}',
      'failed to parse policy: 1 error occurred:\n\t* path "a": invalid key "capabilitys" on line 2\n\n',
    ],
  ])("%j → %j", (hcl, message) => {
    let caught: unknown;
    try {
      parsePolicy(hcl);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DoubleHttpError);
    expect((caught as DoubleHttpError).status).toBe(400);
    expect((caught as DoubleHttpError).message).toBe(message);
  });
});
