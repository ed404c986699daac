// Telling OpenBao from Vault when the suite is pointed at a real server.
import { expect, test } from "bun:test";
import { type Flavor, flavorFromEnv, flavorFromSealStatus } from "./flavors.ts";

test.each([
  [
    "OpenBao 2.7.2",
    {
      type: "shamir",
      sealed: false,
      version: "2.7.2",
      commit_date: "2026-10-26T20:32:27Z",
      storage_type: "inmem",
    },
    "openbao",
  ],
  [
    "Vault 1.19.0",
    {
      type: "shamir",
      sealed: false,
      version: "1.19.0",
      build_date: "2025-03-04T12:36:40Z",
      storage_type: "inmem",
    },
    "vault",
  ],
  ["an older Vault with neither date", { type: "shamir", sealed: false, version: "1.9.0" }, "vault"],
  ["no answer at all", undefined, "vault"],
] as [string, Record<string, unknown> | undefined, Flavor][])(
  "the seal status of %s says %p",
  (_name, body, flavor) => {
    expect(flavorFromSealStatus(body)).toBe(flavor);
  },
);

test.each([
  ["openbao", "openbao"],
  ["vault", "vault"],
  ["OpenBao", undefined],
  [undefined, undefined],
] as [string | undefined, Flavor | undefined][])("VAULT_CONFORMANCE_FLAVOR=%p names %p", (value, flavor) => {
  expect(flavorFromEnv(value)).toBe(flavor);
});
