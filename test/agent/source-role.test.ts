import { describe, expect, test } from "bun:test";
import { roleOf } from "../../src/agent/source-role.ts";

describe("roleOf: what sys/leader says about the source node", () => {
  test.each([
    ["a dev server or file storage (no HA)", { ha_enabled: false, is_self: false }, "active"],
    ["the active node", { ha_enabled: true, is_self: true, leader_address: "http://a:8200" }, "active"],
    // leader_address can name a node that is not active: only is_self is trusted.
    [
      "a standby naming itself as leader",
      { ha_enabled: true, is_self: false, leader_address: "http://b:8200" },
      "standby",
    ],
    ["an answer without is_self", { ha_enabled: true }, "standby"],
    ["an empty answer", undefined, "active"],
  ])("%s → %s", (_what, body, role) => {
    expect(roleOf(body)).toBe(role as "active" | "standby");
  });
});
