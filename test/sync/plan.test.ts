import { describe, expect, test } from "bun:test";
import { type Action, planSync } from "../../src/sync/plan.ts";
import type { KeyState } from "../../src/sync/state.ts";
import { deleted, destroyed, live, none, policy, v1, v2, v2Absent } from "./states.ts";

const A = { pw: "one" };
const B = { pw: "two" };
const on = { deletes: true };
const off = { deletes: false };

describe("planSync compares KV data as JSON values", () => {
  test.each<[Record<string, unknown>, Record<string, unknown>, boolean]>([
    [{ a: 1, b: { c: [1, "2"] } }, { b: { c: [1, "2"] }, a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: "1" }, { a: 1 }, false],
    [{ a: null }, { a: null }, true],
    [{ a: null }, {}, false],
    [{ a: [] }, { a: {} }, false],
  ])("%j against %j: equal %p", (source, destination, equal) => {
    expect(planSync(v1(source), v1(destination), on)).toEqual(equal ? [] : [{ op: "kv1-write" }]);
  });
});

describe("planSync for KV v1", () => {
  test.each<[string, KeyState, KeyState, typeof on, Action[]]>([
    ["writes a missing key", v1(A), v1(null), on, [{ op: "kv1-write" }]],
    ["writes other data", v1(A), v1(B), on, [{ op: "kv1-write" }]],
    ["leaves equal data alone", v1(A), v1({ ...A }), on, []],
    ["deletes a key the source deleted", v1(null), v1(A), on, [{ op: "kv1-delete" }]],
    ["keeps it when deletes are off", v1(null), v1(A), off, [{ op: "skip", why: "deletes-off" }]],
    ["does nothing when absent on both", v1(null), v1(null), on, []],
  ])("%s", (_, source, destination, options, actions) => {
    expect(planSync(source, destination, options)).toEqual(actions);
  });
});

describe("planSync for KV v2", () => {
  test.each<[string, KeyState, KeyState, typeof on, Action[]]>([
    ["writes a new key with cas 0", v2(live(4, A)), v2Absent, on, [{ op: "kv2-write", cas: 0 }]],
    [
      "writes settings first for a new key with settings of its own",
      v2(live(4, A), { max_versions: 3 }),
      v2Absent,
      on,
      [{ op: "kv2-write-metadata" }, { op: "kv2-write", cas: 0 }],
    ],
    [
      "writes other data with cas = the destination's version",
      v2(live(4, A)),
      v2(live(9, B)),
      on,
      [{ op: "kv2-write", cas: 9 }],
    ],
    ["writes nothing when the data is equal", v2(live(4, A)), v2(live(9, { ...A })), on, []],
    [
      "writes only settings when only settings differ",
      v2(live(4, A), { cas_required: true }),
      v2(live(1, A)),
      on,
      [{ op: "kv2-write-metadata" }],
    ],
    [
      "soft-deletes the destination's current version",
      v2(deleted(4)),
      v2(live(2, A)),
      on,
      [{ op: "kv2-soft-delete", version: 2 }],
    ],
    [
      "destroys the destination's current version",
      v2(destroyed(4)),
      v2(live(2, A)),
      on,
      [{ op: "kv2-destroy", version: 2 }],
    ],
    [
      "destroys a soft-deleted current version",
      v2(destroyed(4)),
      v2(deleted(2)),
      on,
      [{ op: "kv2-destroy", version: 2 }],
    ],
    [
      "restores a deleted version the source has live",
      v2(live(4, A)),
      v2(deleted(2)),
      on,
      [{ op: "kv2-restore", version: 2 }],
    ],
    ["writes over a destroyed version", v2(live(4, A)), v2(destroyed(2)), on, [{ op: "kv2-write", cas: 2 }]],
    [
      "deletes the metadata the source deleted",
      v2Absent,
      v2(live(2, A)),
      on,
      [{ op: "kv2-delete-metadata" }],
    ],
    [
      "creates metadata only for a source key with a deleted current version",
      v2(deleted(3)),
      v2Absent,
      on,
      [{ op: "kv2-write-metadata" }],
    ],
    [
      "creates metadata only for a source key with no version",
      v2(none),
      v2Absent,
      on,
      [{ op: "kv2-write-metadata" }],
    ],
    [
      "keeps a live version when deletes are off",
      v2(deleted(4)),
      v2(live(2, A)),
      off,
      [{ op: "skip", why: "deletes-off" }],
    ],
    [
      "keeps the metadata when deletes are off",
      v2Absent,
      v2(live(2, A)),
      off,
      [{ op: "skip", why: "deletes-off" }],
    ],
    [
      "still restores when deletes are off",
      v2(live(4, A)),
      v2(deleted(2)),
      off,
      [{ op: "kv2-restore", version: 2 }],
    ],
  ])("%s", (_, source, destination, options, actions) => {
    expect(planSync(source, destination, options)).toEqual(actions);
  });
});

describe("planSync for policies", () => {
  test.each<[string, string, KeyState, KeyState, typeof on, Action[]]>([
    ["writes a new policy", "admins", policy("a"), policy(null), on, [{ op: "policy-write" }]],
    ["writes changed text", "admins", policy("a"), policy("b"), on, [{ op: "policy-write" }]],
    ["leaves equal text alone", "admins", policy("a"), policy("a"), on, []],
    ["deletes a deleted policy", "admins", policy(null), policy("a"), on, [{ op: "policy-delete" }]],
    [
      "never deletes default",
      "default",
      policy(null),
      policy("a"),
      on,
      [{ op: "skip", why: "default-policy" }],
    ],
    ["still updates default", "default", policy("a"), policy("b"), on, [{ op: "policy-write" }]],
    ["never touches root", "root", policy("a"), policy("b"), on, [{ op: "skip", why: "root-policy" }]],
    [
      "keeps it when deletes are off",
      "admins",
      policy(null),
      policy("a"),
      off,
      [{ op: "skip", why: "deletes-off" }],
    ],
  ])("%s (%s)", (_, name, source, destination, options, actions) => {
    expect(planSync(source, destination, options, name)).toEqual(actions);
  });
});
