// Sync worker threads start with the first sync and end when idle: an agent that hears nothing
// holds none (courier_sync_workers 0), and a write after they have gone still reaches every
// destination, through a worker started for it. Each time the last worker ends the agent releases
// memory, and says so at debug.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentRun, eventually, runAgent } from "../reconcile/agent-fixture.ts";
import { VaultApi } from "../support/vault-api.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

let source: VaultDouble;
let east: VaultDouble;
let west: VaultDouble;
let run: AgentRun | undefined;

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVaultDouble(), startVaultDouble(), startVaultDouble()]);
});
afterAll(async () => {
  await run?.stop();
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

const api = (vault: VaultDouble) => new VaultApi(vault.address, "root");

async function workersGauge(metricsUrl: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  return Number(/^courier_sync_workers (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

async function valueOn(vault: VaultDouble, path: string): Promise<unknown> {
  const reply = await api(vault).call("GET", `secret/data/${path}`);
  return reply.status === 200 ? reply.body.data.data.value : null;
}

describe("sync workers on demand", () => {
  test("idle workers end, and a write after that still reaches both destinations", async () => {
    run = await runAgent(
      source,
      [east, west],
      ["--sync.interval=0", "--http.address=127.0.0.1:0", "--worker.concurrency=2"],
      { workerIdleMs: 1_500 },
    );
    const served = await run.waitForLog("serving /healthz, /readyz and /metrics");
    const metricsUrl = String(served.address).replace(/\/$/, "");
    const listening = await run.waitForLog("listening for audit entries");
    const auditAddress = String(listening.address).replace("udp://", "");
    await api(source).must("PUT", "sys/audit/courier", {
      type: "socket",
      options: { address: auditAddress, socket_type: "udp" },
    });
    await run.waitForLog("reconcile pass finished", { reason: "start-up" });

    // Whatever the start-up pass started has ended: nothing to do, no thread held for it.
    await eventually(
      () => workersGauge(metricsUrl),
      (n) => n === 0,
    );

    await api(source).must("POST", "secret/data/first", { data: { value: "one" } });
    for (const destination of [east, west]) {
      await eventually(
        () => valueOn(destination, "first"),
        (v) => v === "one",
      );
    }
    expect(await workersGauge(metricsUrl)).toBeGreaterThanOrEqual(1);

    await eventually(
      () => workersGauge(metricsUrl),
      (n) => n === 0,
    );
    // Gone quiet, the agent handed memory back: the heap collected and, on Linux, the executable's
    // read-only pages offered to the kernel (libc's madvise reached through bun:ffi).
    const released = await run.waitForLog("idle: memory released");
    expect(released.rssAfterMiB).toBeGreaterThan(0);
    if (process.platform === "linux") expect(released.pagedOutMiB).toBeGreaterThan(10);

    await api(source).must("POST", "secret/data/after-idle", { data: { value: "two" } });
    for (const destination of [east, west]) {
      await eventually(
        () => valueOn(destination, "after-idle"),
        (v) => v === "two",
      );
    }
    expect(await workersGauge(metricsUrl)).toBeGreaterThanOrEqual(1);
    expect(run.logs().filter((l) => l.level === "warn" || l.level === "error")).toEqual([]);
  }, 30_000);
});
