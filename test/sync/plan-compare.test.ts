import { describe, expect, test } from "bun:test";
import { type Aspect, compareStates, type Status } from "../../src/sync/plan.ts";
import type { KeyState } from "../../src/sync/state.ts";
import { deleted, destroyed, live, none, policy, v1, v2, v2Absent } from "./states.ts";

const A = { user: "app", pw: "one" };
const B = { user: "app", pw: "two" };

describe("compareStates", () => {
  test.each<[string, KeyState, KeyState, Status, Aspect[]]>([
    ["v1 equal data, keys in another order", v1(A), v1({ pw: "one", user: "app" }), "equal", []],
    ["v1 other data", v1(A), v1(B), "differs", ["data"]],
    ["v1 absent on the destination", v1(A), v1(null), "missing", []],
    ["v1 absent on the source", v1(null), v1(A), "extra", []],
    ["v1 absent on both", v1(null), v1(null), "equal", []],
    ["v2 equal current data, other version numbers", v2(live(7, A)), v2(live(2, A)), "equal", []],
    ["v2 other current data", v2(live(3, A)), v2(live(3, B)), "differs", ["data"]],
    ["v2 absent on the destination", v2(live(1, A)), v2Absent, "missing", []],
    ["v2 metadata deleted on the source", v2Absent, v2(live(1, A)), "extra", []],
    ["v2 source current soft-deleted", v2(deleted(2)), v2(live(2, A)), "differs", ["deleted"]],
    ["v2 destination current soft-deleted", v2(live(2, A)), v2(deleted(2)), "differs", ["deleted"]],
    ["v2 both soft-deleted", v2(deleted(4)), v2(deleted(1)), "equal", []],
    ["v2 source destroyed, destination live", v2(destroyed(2)), v2(live(2, A)), "differs", ["destroyed"]],
    ["v2 source destroyed, destination deleted", v2(destroyed(2)), v2(deleted(2)), "differs", ["destroyed"]],
    ["v2 source destroyed, destination destroyed", v2(destroyed(2)), v2(destroyed(5)), "equal", []],
    ["v2 source deleted, destination destroyed", v2(deleted(2)), v2(destroyed(5)), "equal", []],
    ["v2 source live, destination destroyed", v2(live(2, A)), v2(destroyed(2)), "differs", ["data"]],
    ["v2 source metadata only, destination metadata only", v2(none), v2(none), "equal", []],
    ["v2 source live, destination metadata only", v2(live(1, A)), v2(none), "differs", ["data"]],
    [
      "v2 settings",
      v2(live(1, A), { max_versions: 5, cas_required: true }),
      v2(live(1, A)),
      "differs",
      ["max_versions", "cas_required"],
    ],
    [
      "v2 delete_version_after and custom_metadata",
      v2(live(1, A), { delete_version_after: "1h0m0s", custom_metadata: { owner: "team-a" } }),
      v2(live(1, B)),
      "differs",
      ["delete_version_after", "custom_metadata", "data"],
    ],
    ["policy equal text", policy('path "a" {}'), policy('path "a" {}'), "equal", []],
    ["policy other text", policy('path "a" {}'), policy('path "b" {}'), "differs", ["policy"]],
    ["policy absent on the destination", policy('path "a" {}'), policy(null), "missing", []],
    ["policy deleted on the source", policy(null), policy('path "a" {}'), "extra", []],
    ["a v2 key against a v1 mount", v2(live(1, A)), v1(A), "differs", ["mount"]],
  ])("%s", (_, source, destination, status, aspects) => {
    expect(compareStates(source, destination)).toEqual({ status, aspects });
  });
});
