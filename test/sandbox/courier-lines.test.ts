import { describe, expect, test } from "bun:test";
import { isSettled, parseCourierLine } from "../../scripts/sandbox/courier-lines.ts";

const base = { time: "2025-01-01T00:00:00.000Z" };
const json = (fields: Record<string, unknown>) => JSON.stringify({ ...base, ...fields });

describe("reading Courier's JSON log lines", () => {
  test.each([
    [
      "a sync per destination, with its result and time",
      json({
        level: "debug",
        msg: "synced",
        key: "kv secret/app/db",
        destination: "http://127.0.0.1:8202",
        result: "written",
        done: "kv2-write",
        ms: 3.2,
      }),
      {
        kind: "sync",
        key: "kv secret/app/db",
        destination: "http://127.0.0.1:8202",
        result: "written",
        ms: 3.2,
      },
    ],
    [
      "a failed sync, with Vault's message",
      json({
        level: "warn",
        msg: "sync failed",
        key: "policy ops",
        destination: "http://127.0.0.1:8204",
        result: "retry",
        error: "connection refused",
        ms: 1,
      }),
      {
        kind: "sync",
        key: "policy ops",
        destination: "http://127.0.0.1:8204",
        result: "retry",
        ms: 1,
        error: "connection refused",
      },
    ],
    [
      "Courier listening",
      json({ level: "info", msg: "listening for audit entries", address: "udp://127.0.0.1:1269" }),
      { kind: "ready", address: "udp://127.0.0.1:1269" },
    ],
    [
      "a warning",
      json({
        level: "warn",
        msg: "could not read the source; will retry",
        key: "kv secret/a",
        error: "sealed",
      }),
      { kind: "problem", level: "warn", msg: "could not read the source; will retry", detail: "sealed" },
    ],
    ["an info line it does not show", json({ level: "info", msg: "courier starting" }), undefined],
    ["a debug line it does not show", json({ level: "debug", msg: "mount table loaded" }), undefined],
    ["text that is not JSON", "panic: something", undefined],
    ["JSON that is not an object", "42", undefined],
  ])("%s", (_name, line, expected) => {
    expect(parseCourierLine(line)).toEqual(expected as never);
  });
});

describe("which results mean a destination holds the key", () => {
  test.each([
    ["written", true],
    ["deleted", true],
    ["unchanged", true],
    ["skipped", false],
    ["retry", false],
    ["failed", false],
  ])("%s → %p", (result, settled) => {
    expect(isSettled(result)).toBe(settled);
  });
});
