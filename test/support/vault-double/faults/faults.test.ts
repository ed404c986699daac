// Fault rules and control routes, driven through Faults directly; the conformance suite shows
// them over HTTP.
import { describe, expect, test } from "bun:test";
import { createDoubleContext } from "../context.ts";
import type { HttpRequest } from "../types.ts";
import { Faults } from "./faults.ts";
import { covers } from "./rules.ts";

function http(method: string, path: string, body?: unknown): HttpRequest {
  return {
    method,
    path,
    query: new URLSearchParams(),
    headers: new Map(),
    body: body === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(body)),
    remoteAddress: "127.0.0.1",
    remotePort: 1,
  };
}

function setup(seed?: number) {
  const ctx = createDoubleContext({ rootToken: "root" });
  const listening: boolean[] = [];
  ctx.setListening = async (on) => {
    listening.push(on);
  };
  const faults = new Faults({ seed });
  return {
    ctx,
    faults,
    listening,
    set: (rules: unknown) => faults.control(http("POST", "/_double/faults", rules), ctx),
  };
}

describe("rules applied to /v1 requests", () => {
  test("with no rules nothing happens", async () => {
    expect(await new Faults().apply(http("GET", "/v1/secret/data/a"))).toBeUndefined();
  });

  test("a status rule answers matching requests only, with its errors", async () => {
    const { faults, set } = setup();
    await set([
      { kind: "status", status: 503, path: "secret/*", method: "post", errors: ["Vault is sealed"] },
    ]);
    expect(await faults.apply(http("POST", "/v1/secret/data/a"))).toEqual({
      status: 503,
      body: { errors: ["Vault is sealed"] },
    });
    expect(await faults.apply(http("GET", "/v1/secret/data/a"))).toBeUndefined();
    expect(await faults.apply(http("POST", "/v1/kv/a"))).toBeUndefined();
  });

  test("times limits a rule to its first N matching requests", async () => {
    const { faults, set } = setup();
    await set([{ kind: "status", status: 500, times: 2 }]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await faults.apply(http("GET", "/v1/sys/mounts")))?.status);
    expect(statuses).toEqual([500, 500, undefined, undefined]);
  });

  test("share fails about that fraction of requests, the same ones for the same seed", async () => {
    const run = async () => {
      const { faults, set } = setup(42);
      await set([{ kind: "status", status: 429, share: 0.3 }]);
      const hits: number[] = [];
      for (let i = 0; i < 1000; i++) if (await faults.apply(http("GET", "/v1/a"))) hits.push(i);
      return hits;
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(250);
    expect(first.length).toBeLessThan(350);
    expect(await run()).toEqual(first);
  });

  test("latency delays matching requests before they go on", async () => {
    const { faults, set } = setup();
    await set([{ kind: "latency", ms: 80, path: "secret/*" }]);
    const started = performance.now();
    expect(await faults.apply(http("GET", "/v1/secret/a"))).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    const quick = performance.now();
    await faults.apply(http("GET", "/v1/sys/health"));
    expect(performance.now() - quick).toBeLessThan(40);
  });

  test.each([
    ["secret/*", "secret/data/a/b", true],
    ["secret/+/a", "secret/data/a", true],
    ["secret/+/a", "secret/data/x/a", false],
    ["sys/health", "sys/healthz", false],
    ["a.b", "aXb", false],
  ])("pattern %s covers %s: %p", (path, requestPath, expected) => {
    expect(covers({ path }, requestPath, "GET")).toBe(expected);
  });
});

describe("control routes", () => {
  test("POST sets rules, GET shows them, DELETE clears them", async () => {
    const { ctx, faults, set } = setup();
    expect((await set([{ kind: "latency", ms: 5 }])).status).toBe(200);
    expect((await faults.control(http("GET", "/_double/faults"), ctx)).body).toEqual({
      rules: [{ kind: "latency", ms: 5 }],
    });
    expect((await faults.control(http("DELETE", "/_double/faults"), ctx)).status).toBe(204);
    expect((await faults.control(http("GET", "/_double/faults"), ctx)).body).toEqual({ rules: [] });
  });

  test("refuse stops the listener until cleared, or for ms", async () => {
    const { ctx, faults, listening, set } = setup();
    await set([{ kind: "refuse" }]);
    await faults.control(http("DELETE", "/_double/faults"), ctx);
    expect(listening).toEqual([false, true]);
    await set([{ kind: "refuse", ms: 30 }]);
    await Bun.sleep(80);
    expect(listening).toEqual([false, true, false, true]);
  });

  test("seal, unseal and standby set the server state", async () => {
    const { ctx, faults } = setup();
    await faults.control(http("POST", "/_double/seal"), ctx);
    expect(ctx.state.sealed).toBe(true);
    await faults.control(http("POST", "/_double/unseal"), ctx);
    expect(ctx.state.sealed).toBe(false);
    await faults.control(http("POST", "/_double/standby", { standby: true }), ctx);
    expect(ctx.state.standby).toBe(true);
    await faults.control(http("POST", "/_double/standby", { standby: false }), ctx);
    expect(ctx.state.standby).toBe(false);
  });

  test("the clock moves forward by advance_ms", async () => {
    const { ctx, faults } = setup();
    const before = ctx.now();
    const answer = await faults.control(http("POST", "/_double/clock", { advance_ms: 3_600_000 }), ctx);
    expect((answer.body as { now_ms: number }).now_ms - before).toBeGreaterThanOrEqual(3_600_000);
  });

  test.each([
    [{ kind: "explode" }, "rule 0: kind must be latency, status or refuse"],
    [{ kind: "status", status: 42 }, "rule 0: bad status"],
    [{ kind: "status", status: 500, share: 2 }, "rule 0: share must be within 0..1"],
    [{ kind: "latency" }, "rule 0: ms must be a number ≥ 0"],
  ])("a bad rule %j answers 400 %s and changes nothing", async (rule, message) => {
    const { ctx, faults, set } = setup();
    await set([{ kind: "latency", ms: 1 }]);
    expect(await set([rule])).toEqual({ status: 400, body: { errors: [message] } });
    expect((await faults.control(http("GET", "/_double/faults"), ctx)).body).toEqual({
      rules: [{ kind: "latency", ms: 1 }],
    });
  });

  test("unknown control routes answer 404", async () => {
    const { ctx, faults } = setup();
    expect((await faults.control(http("GET", "/_double/nope"), ctx)).status).toBe(404);
  });
});
