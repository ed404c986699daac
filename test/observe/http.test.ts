import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createIngestCounters } from "../../src/audit/counters.ts";
import type { AuditListener } from "../../src/audit/listeners/listener.ts";
import { listenTcp } from "../../src/audit/listeners/stream.ts";
import { CourierError } from "../../src/errors.ts";
import { serveHttp } from "../../src/observe/http.ts";
import { type Observer, startObserver } from "../../src/observe/metrics.ts";
import { createVaultClient, type VaultClient } from "../../src/vault/client.ts";
import { harness } from "../dispatch/harness.ts";
import { captureLogs } from "../support/log-capture.ts";
import { parseExposition, sampleValue } from "../support/metrics-exposition.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

let vault: VaultDouble;
let source: VaultClient;
let audit: AuditListener;
const observers: Observer[] = [];

beforeAll(async () => {
  vault = await startVaultDouble({ rootToken: "hvs.observe-test-root" });
  source = createVaultClient({ address: vault.address, auth: { method: "token", token: vault.rootToken } });
  audit = await listenTcp("127.0.0.1", 0, {
    onLine: () => {},
    counters: createIngestCounters(),
    allow: ["127.0.0.0/8"],
  });
});

afterAll(async () => {
  await Promise.all(observers.map((o) => o.stop()));
  await audit.close();
  source.close();
  await vault.stop();
});

/** An observer on a free port whose source probe runs on a clock the test moves. */
function observe(probe: { everyMs?: number; timeoutMs?: number } = {}, sourceActive?: () => boolean) {
  let now = 1_000_000;
  const logs = captureLogs();
  const observer = startObserver({
    address: "127.0.0.1:0",
    sourceHealth: () => source.health(),
    destinations: ["http://127.0.0.1:8201"],
    log: logs.log,
    probe: { ...probe, now: () => now },
    sourceActive,
  });
  observers.push(observer);
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${observer.url}${path}`, init);
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      body: await response.text(),
    };
  };
  return { observer, logs, get, advance: (ms: number) => (now += ms) };
}

function ready(observer: Observer) {
  observer.mountTableLoaded();
  observer.listening({ counters: createIngestCounters(), scheduler: harness().scheduler, listener: audit });
}

async function doubleControl(path: string, body?: unknown) {
  const response = await fetch(`${vault.address}/_double/${path}`, {
    method: path === "faults" && body === undefined ? "DELETE" : "POST",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
}

describe("/healthz", () => {
  test("answers 200 ok as long as the process runs, ready or not", async () => {
    const { get } = observe();
    expect(await get("/healthz")).toEqual({ status: 200, type: "text/plain; charset=utf-8", body: "ok\n" });
  });

  test("the server says where it listens, with the port it was given", async () => {
    const { observer, logs } = observe();
    expect(observer.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(logs.records()).toContainEqual(
      expect.objectContaining({ msg: "serving /healthz, /readyz and /metrics", address: observer.url }),
    );
  });
});

describe("/readyz", () => {
  test("answers 503 with what is missing during start-up, then 200 once listening with the mount table loaded", async () => {
    const { observer, get } = observe();
    expect(await get("/readyz")).toEqual({
      status: 503,
      type: "text/plain; charset=utf-8",
      body: "the source's mount table is not loaded yet\nnot listening for the audit stream yet\n",
    });
    observer.mountTableLoaded();
    expect((await get("/readyz")).body).toBe("not listening for the audit stream yet\n");
    ready(observer);
    expect(await get("/readyz")).toEqual({ status: 200, type: "text/plain; charset=utf-8", body: "ready\n" });
  });

  test("a sealed source makes it 503; the verdict is kept for the probe interval, then asked again", async () => {
    const { observer, get, advance } = observe({ everyMs: 5_000 });
    ready(observer);
    await doubleControl("seal");
    try {
      expect(await get("/readyz")).toMatchObject({
        status: 503,
        body: "the source Vault is sealed (sys/health 503)\n",
      });
      await doubleControl("unseal");
      advance(4_000);
      expect((await get("/readyz")).status).toBe(503);
      advance(1_000);
      expect((await get("/readyz")).status).toBe(200);
    } finally {
      await doubleControl("unseal");
    }
  });

  test("a source on standby still counts as reachable: it forwards reads to the active node", async () => {
    const { observer, get } = observe();
    ready(observer);
    await doubleControl("standby", { standby: true });
    try {
      expect((await get("/readyz")).status).toBe(200);
    } finally {
      await doubleControl("standby", { standby: false });
    }
  });

  test("a Courier whose source node is a standby is ready, says it stands by, and shows courier_source_active 0 until the node is active", async () => {
    let active = false;
    const { observer, get } = observe({}, () => active);
    ready(observer);
    expect(await get("/readyz")).toEqual({
      status: 200,
      type: "text/plain; charset=utf-8",
      body: "ready: standby (the source node is not active; its active node's Courier syncs)\n",
    });
    expect(sampleValue(parseExposition((await get("/metrics")).body), "courier_source_active")).toBe(0);
    active = true;
    expect((await get("/readyz")).body).toBe("ready\n");
    expect(sampleValue(parseExposition((await get("/metrics")).body), "courier_source_active")).toBe(1);
  });

  test("a source slower than the probe's timeout counts as not reachable", async () => {
    const { observer, get } = observe({ timeoutMs: 100 });
    ready(observer);
    await doubleControl("faults", [{ kind: "latency", ms: 400, path: "sys/health" }]);
    try {
      expect(await get("/readyz")).toMatchObject({
        status: 503,
        body: "the source Vault did not answer sys/health within 0.1s\n",
      });
    } finally {
      await doubleControl("faults");
    }
  });

  test("a source that refuses connections is named in the reason", async () => {
    const { observer, get } = observe();
    ready(observer);
    vault.ctx.setListening(false);
    try {
      const reply = await get("/readyz");
      expect(reply.status).toBe(503);
      expect(reply.body).toStartWith("the source Vault did not answer: ");
      expect(reply.body).toContain(vault.address);
      expect(reply.body).not.toContain(vault.rootToken);
    } finally {
      vault.ctx.setListening(true);
    }
  });

  test("answers 503 stopping once the agent stops, while /healthz still answers 200", async () => {
    const { observer, get } = observe();
    ready(observer);
    expect((await get("/readyz")).status).toBe(200);
    observer.stopping();
    expect(await get("/readyz")).toMatchObject({ status: 503, body: "stopping\n" });
    expect((await get("/healthz")).status).toBe(200);
  });
});

describe("/metrics and the rest", () => {
  test("/metrics answers the Prometheus text format, every line readable", async () => {
    const { observer, get } = observe();
    ready(observer);
    const reply = await get("/metrics");
    expect(reply.status).toBe(200);
    expect(reply.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parseExposition(reply.body);
    expect(sampleValue(families, "courier_audit_entries_total", { result: "accepted" })).toBe(0);
    expect(sampleValue(families, "courier_queue_depth")).toBe(0);
  });

  test.each(["/", "/metrics/", "/health", "/readyz/x", "/v1/sys/health"])("%s answers 404", async (path) => {
    const { get } = observe();
    expect(await get(path)).toMatchObject({ status: 404, body: "not found\n" });
  });

  test("a method other than GET or HEAD answers 405 and names the ones allowed", async () => {
    const { observer } = observe();
    const response = await fetch(`${observer.url}/metrics`, { method: "POST", body: "x" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    const head = await fetch(`${observer.url}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  test("a port already in use fails with LISTEN_FAILED naming the address and the setting", () => {
    const { observer } = observe();
    const address = observer.url!.replace("http://", "");
    let error: unknown;
    try {
      serveHttp(address, { ready: async () => ({ ready: true }), metrics: () => "" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CourierError);
    expect((error as CourierError).code).toBe("LISTEN_FAILED");
    expect((error as Error).message).toBe(
      `cannot serve /healthz, /readyz and /metrics on ${address} (http.address): the address is already in use (another Courier, or another program, is listening there)`,
    );
  });

  test("after stop the port no longer answers", async () => {
    const { observer } = observe();
    const url = observer.url!;
    await observer.stop();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  test("with no address nothing is served and the metrics are still kept", () => {
    const observer = startObserver({
      address: "",
      sourceHealth: () => source.health(),
      destinations: [],
      log: captureLogs().log,
    });
    expect(observer.url).toBeUndefined();
    expect(observer.metrics.render()).toContain("# TYPE courier_sync_total counter\n");
  });
});
