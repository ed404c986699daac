import { describe, expect, test } from "bun:test";
import { logSync } from "../../src/agent/sync-log.ts";
import type { Task } from "../../src/dispatch/scheduler.ts";
import type { SyncResult } from "../../src/sync/outcome.ts";
import { captureLogs } from "../support/log-capture.ts";

const task: Task = {
  key: { kind: "kv", namespace: "", mount: "secret/", path: "loop/y" },
  destinations: ["http://b:8200"],
  attempt: 1,
};
const failedWith = (reason: string, message: string): SyncResult => ({
  destinations: [
    {
      destination: "http://b:8200",
      result: "retry",
      done: [],
      skipped: [],
      error: { code: "VAULT_ERROR", message, transient: true, reason, status: 400 },
    },
  ],
});

describe("logSync: what a sync that did not go through says", () => {
  test("a check-and-set lost to a concurrent write is an expected race: debug, not warn", () => {
    const logs = captureLogs();
    logSync(
      logs.log,
      task,
      failedWith("conflict", "400 check-and-set parameter did not match the current version"),
      5,
    );
    expect(logs.records().map((r) => [r.level, r.msg])).toEqual([["debug", "sync lost a race; will retry"]]);
  });

  test("a destination that is down still warns", () => {
    const logs = captureLogs();
    logSync(logs.log, task, failedWith("unreachable", "connection refused"), 5);
    expect(logs.records().map((r) => [r.level, r.msg])).toEqual([["warn", "sync failed"]]);
  });
});
