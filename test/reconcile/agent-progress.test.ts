// The agent's long passes say how far they have got in the log, at most once an interval; short
// ones say nothing until they end.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";
import { type AgentRun, runAgent } from "./agent-fixture.ts";

let source: VaultDouble;
let east: VaultDouble;
let run: AgentRun | undefined;

beforeAll(async () => {
  [source, east] = await Promise.all([startVaultDouble(), startVaultDouble()]);
  for (let i = 0; i < 64; i++) {
    await fetch(`${source.address}/v1/secret/data/slow/k${i}`, {
      method: "POST",
      headers: { "X-Vault-Token": "root" },
      body: JSON.stringify({ data: { n: String(i) } }),
    });
  }
});
afterEach(async () => {
  await run?.stop();
  run = undefined;
  await fetch(`${source.controlAddress}/_double/faults`, { method: "DELETE" });
});
afterAll(async () => {
  await Promise.all([source, east].map((v) => v?.stop()));
});

const progressLines = (r: AgentRun) => r.logs().filter((l) => l.msg === "reconcile pass progress");

describe("a pass in the agent", () => {
  test("that lasts logs reconcile pass progress with the keys, the rate and the errors", async () => {
    // Half a second a source read: a pass of a few seconds.
    const rules = [{ kind: "latency", ms: 500, path: "secret/*", method: "GET" }];
    await fetch(`${source.controlAddress}/_double/faults`, { method: "POST", body: JSON.stringify(rules) });
    run = await runAgent(source, [east], ["--sync.interval=0", "--sync.policies=false"], {
      progressEveryMs: 500,
    });
    await run.waitForLog("reconcile pass finished", { reason: "start-up" }, 30_000);
    const lines = progressLines(run);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatchObject({ level: "info", reason: "start-up", scope: "full", errors: 0 });
    expect(lines.at(-1)!.keys as number).toBeGreaterThan(0);
    expect(lines.at(-1)!.rate as number).toBeGreaterThan(0);
  }, 40_000);

  test("that is short logs no progress at all", async () => {
    run = await runAgent(source, [east], ["--sync.interval=0", "--sync.policies=false"], {
      progressEveryMs: 500,
    });
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    expect(progressLines(run)).toEqual([]);
  });
});
