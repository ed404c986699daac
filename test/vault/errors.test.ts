import { describe, expect, test } from "bun:test";
import {
  capabilitiesFor,
  classifyStatus,
  type FailureReason,
  policyLine,
  VaultCallError,
} from "../../src/vault/errors.ts";

describe("classifyStatus", () => {
  test.each<[number, string[], FailureReason, boolean]>([
    [400, ["check-and-set parameter did not match the current version"], "conflict", true],
    [
      400,
      [
        "Upgrading from non-versioned to versioned data. This backend will be unavailable for a brief period and will resume service shortly.",
      ],
      "upgrading",
      true,
    ],
    [400, ["check-and-set parameter required for this call"], "bad-request", false],
    [400, ["no data provided"], "bad-request", false],
    [403, ["permission denied"], "permission-denied", false],
    [404, ['no handler for route "nope/x". route entry not found.'], "no-route", false],
    [405, ["unsupported operation"], "unsupported", false],
    [409, ["existing mount at secret/"], "conflict", true],
    [412, [], "inconsistent", true],
    [429, ["request path kv/: rate limit quota exceeded"], "rate-limited", true],
    [500, ["internal error"], "server-error", true],
    [502, [], "server-error", true],
    [503, ["Vault is sealed"], "sealed", true],
    [504, [], "server-error", true],
    [418, [], "unexpected", false],
  ])("answers %i %j as %s (transient: %p)", (status, errors, reason, transient) => {
    expect(classifyStatus(status, errors)).toBe(reason);
    const error = new VaultCallError(
      reason,
      { vault: "http://v", method: "GET", path: "p", namespace: "" },
      status,
      "",
    );
    expect(error.transient).toBe(transient);
  });
});

describe("capabilitiesFor", () => {
  test.each<[string, boolean, string[]]>([
    ["GET", false, ["read"]],
    ["GET", true, ["list"]],
    ["DELETE", false, ["delete"]],
    ["PATCH", false, ["patch"]],
    ["POST", false, ["create", "update"]],
    ["PUT", false, ["create", "update"]],
  ])("%s (list: %p) needs %j", (method, list, capabilities) => {
    expect(capabilitiesFor(method, list)).toEqual(capabilities);
  });
});

describe("VaultCallError messages", () => {
  test("a 403 names the Vault, the path, the namespace, the capability and the policy line", () => {
    const error = new VaultCallError(
      "permission-denied",
      { vault: "https://dst:8200", method: "POST", path: "secret/data/app", namespace: "team-a/" },
      403,
      "permission denied",
      ["create", "update"],
    );
    expect(error.code).toBe("VAULT_PERMISSION_DENIED");
    expect(error.exitCode).toBe(5);
    expect(error.message).toBe(
      'https://dst:8200 denied POST secret/data/app in namespace team-a/: the token needs "create" or "update" ' +
        'on "secret/data/app" (policy line: path "secret/data/app" { capabilities = ["create", "update"] })',
    );
  });

  test("a LIST is named LIST, and other failures carry the status and Vault's message", () => {
    const error = new VaultCallError(
      "sealed",
      { vault: "http://src", method: "GET", path: "secret/metadata/", namespace: "", list: true },
      503,
      "Vault is sealed",
    );
    expect(error.message).toBe("http://src: LIST secret/metadata/ failed: 503 Vault is sealed");
    expect(error.code).toBe("VAULT_ERROR");
  });

  test("a failure with no answer names what happened instead of a status", () => {
    const error = new VaultCallError(
      "timeout",
      { vault: "http://src", method: "GET", path: "kv/a", namespace: "" },
      undefined,
      "",
    );
    expect(error.message).toBe("http://src: GET kv/a failed: timeout");
    expect(error.code).toBe("VAULT_UNREACHABLE");
  });

  test("policyLine writes HCL that grants the capabilities", () => {
    expect(policyLine("sys/mounts/secret", ["create", "update"])).toBe(
      'path "sys/mounts/secret" { capabilities = ["create", "update"] }',
    );
  });
});
