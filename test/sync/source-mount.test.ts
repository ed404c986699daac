// The agent hands each sync the source mount its classifier already knows, so a sync worker does
// not read the source's sys/mounts for a key: a source whose sys/mounts fails after start-up
// (a policy narrowed, a flaky standby) still has its audited writes synced.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentRun, eventually, runAgent } from "../reconcile/agent-fixture.ts";
import { mountKv, ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let run: AgentRun | undefined;

beforeAll(async () => {
  [source, east] = await Promise.all([startVault(), startVault()]);
  await mountKv([source, east], "solo", 1);
});
afterAll(async () => {
  await run?.stop();
  await Promise.all([source, east].map((v) => v?.stop()));
});

describe("an audited write", () => {
  test("is synced with the mount the agent knows, without the worker reading the source's sys/mounts", async () => {
    run = await runAgent(source, [east], ["--sync.interval=0", "--retry.initial=100ms", "--retry.max=200ms"]);
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });
    // From now on the source answers sys/mounts with 500; the agent's table was read at start-up.
    const faults = await fetch(`${source.address}/_double/faults`, {
      method: "POST",
      body: JSON.stringify([{ kind: "status", status: 500, path: "sys/mounts", method: "GET" }]),
    });
    expect(faults.status).toBe(200);
    expect((await source.api("GET", "sys/mounts")).status).toBe(500);
    const address = run.agent.listener.address.replace("udp://", "");
    await ok(
      source.api("PUT", "sys/audit/courier", { type: "socket", options: { address, socket_type: "udp" } }),
    );
    await ok(source.api("PUT", "solo/db", { password: "p1" }));
    const held = await eventually(
      async () => (await east.api("GET", "solo/db")).body?.data,
      (data) => data?.password === "p1",
      4_000,
    );
    expect(held).toEqual({ password: "p1" });
    expect(run.logs().filter((line) => line.msg === "could not read the source; will retry")).toEqual([]);
  });
});
