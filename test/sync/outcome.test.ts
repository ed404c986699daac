import { describe, expect, test } from "bun:test";
import { resultOf, toOutcomeError } from "../../src/sync/outcome.ts";
import type { Done, SkipReason } from "../../src/sync/plan.ts";
import { SyncError } from "../../src/sync/state.ts";
import { VaultCallError } from "../../src/vault/errors.ts";

describe("resultOf", () => {
  test.each<[Done[], SkipReason[], string]>([
    [[], [], "unchanged"],
    [["kv2-write"], [], "written"],
    [["kv2-write-metadata", "kv2-soft-delete"], [], "written"],
    [["create-mount", "kv1-write"], [], "written"],
    [["kv2-undelete"], [], "written"],
    [["kv2-destroy"], [], "deleted"],
    [["policy-delete"], [], "deleted"],
    [[], ["deletes-off"], "skipped"],
  ])("%j with skips %j is %s", (done, skipped, result) => {
    expect(resultOf(done, skipped)).toBe(result as "written");
  });
});

describe("toOutcomeError", () => {
  test("keeps a Vault failure's code, reason, status and whether to retry", () => {
    const error = new VaultCallError(
      "sealed",
      { vault: "http://src", method: "GET", path: "kv/a", namespace: "" },
      503,
      "Vault is sealed",
    );
    expect(toOutcomeError(error)).toEqual({
      code: "VAULT_ERROR",
      message: "http://src: GET kv/a failed: 503 Vault is sealed",
      transient: true,
      reason: "sealed",
      status: 503,
    });
  });

  test("keeps a sync problem's own judgement", () => {
    expect(toOutcomeError(new SyncError("VAULT_ERROR", "mount kv/ missing", false))).toEqual({
      code: "VAULT_ERROR",
      message: "mount kv/ missing",
      transient: false,
    });
  });

  test("calls anything else an internal, permanent failure", () => {
    expect(toOutcomeError(new TypeError("x is undefined"))).toEqual({
      code: "INTERNAL",
      message: "TypeError: x is undefined",
      transient: false,
    });
  });
});
