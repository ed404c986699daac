import { describe, expect, test } from "bun:test";
import type { Kv2VersionInfo } from "../../src/vault/kv.ts";
import { parseDataRead, parseMetadata, versionState } from "../../src/vault/kv.ts";

// Bodies as Vault's KV v2 backend writes them (see its path_data.go and path_metadata.go).
const METADATA = {
  cas_required: true,
  created_time: "2024-05-01T10:00:00.000000Z",
  current_version: 3,
  custom_metadata: null,
  delete_version_after: "1h0m0s",
  max_versions: 5,
  oldest_version: 1,
  updated_time: "2024-05-01T10:02:00.000000Z",
  versions: {
    "1": { created_time: "2024-05-01T10:00:00Z", deletion_time: "", destroyed: false },
    "2": { created_time: "2024-05-01T10:01:00Z", deletion_time: "2024-05-01T10:01:30Z", destroyed: false },
    "3": { created_time: "2024-05-01T10:02:00Z", deletion_time: "", destroyed: true },
  },
};

describe("parseMetadata", () => {
  test("keeps the version list, when it last changed and the four settings, with null custom_metadata read as {}", () => {
    expect(parseMetadata(METADATA)).toEqual({
      current_version: 3,
      oldest_version: 1,
      updated_time: "2024-05-01T10:02:00.000000Z",
      settings: { max_versions: 5, cas_required: true, delete_version_after: "1h0m0s", custom_metadata: {} },
      versions: METADATA.versions,
    });
  });

  test.each([[null], ["text"], [{ versions: {} }]])("refuses %j, which is not metadata", (data) => {
    expect(parseMetadata(data)).toBeNull();
  });
});

describe("parseDataRead", () => {
  const meta = (extra: object) => ({ created_time: "t", custom_metadata: null, version: 4, ...extra });
  test.each([
    [200, { data: { data: { pw: "x" }, metadata: meta({ deletion_time: "", destroyed: false }) } }, "live"],
    [
      404,
      { data: { data: null, metadata: meta({ deletion_time: "2024-01-01T00:00:00Z", destroyed: false }) } },
      "deleted",
    ],
    [404, { data: { data: null, metadata: meta({ deletion_time: "", destroyed: true }) } }, "destroyed"],
  ])("reads a %i answer as %s", (status, body, state) => {
    expect(parseDataRead(status, body)?.state).toBe(state as "live");
  });

  test("gives the version, the data and the version's metadata of a live read", () => {
    const body = { data: { data: { pw: "x" }, metadata: meta({ deletion_time: "", destroyed: false }) } };
    expect(parseDataRead(200, body)).toEqual({
      state: "live",
      version: 4,
      data: { pw: "x" },
      info: { created_time: "t", deletion_time: "", custom_metadata: {} },
    });
  });

  test("keeps the key's custom_metadata a live read carries, and says when it carries none", () => {
    const live = (metadata: object) => parseDataRead(200, { data: { data: {}, metadata } });
    const withCustom = live(meta({ deletion_time: "", destroyed: false, custom_metadata: { team: "a" } }));
    expect(withCustom?.state === "live" && withCustom.info.custom_metadata).toEqual({ team: "a" });
    const older = live({ version: 4, created_time: "t", deletion_time: "", destroyed: false });
    expect(older?.state === "live" && older.info.custom_metadata).toBeUndefined();
  });

  test.each([
    [404, { errors: [] }],
    [200, { data: { keys: ["a"] } }],
    [200, "not json"],
  ])("has no KV v2 meaning for %i %j", (status, body) => {
    expect(parseDataRead(status, body)).toBeNull();
  });
});

describe("versionState", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");
  const v = (deletion_time: string, destroyed = false): Kv2VersionInfo => ({
    created_time: "",
    deletion_time,
    destroyed,
  });
  test.each<[string, Kv2VersionInfo | undefined, string]>([
    ["a version with no deletion time", v(""), "live"],
    ["a version deleted an hour ago", v("2024-05-01T11:00:00Z"), "deleted"],
    ["a version whose delete_version_after has not come yet", v("2024-05-01T13:00:00Z"), "live"],
    ["a destroyed version", v("", true), "destroyed"],
    ["a destroyed and deleted version", v("2024-05-01T11:00:00Z", true), "destroyed"],
    ["no version at all (current_version 0)", undefined, "none"],
  ])("%s is %s", (_, info, state) => {
    expect(versionState(info, now)).toBe(state as "live");
  });
});
