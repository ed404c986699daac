// The control routes and fault rules seen over HTTP on a running double.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rawRequest } from "../../../conformance/raw-http.ts";
import { startVaultDouble, type VaultDouble } from "../index.ts";

let d: VaultDouble;
beforeAll(async () => {
  d = await startVaultDouble();
});
afterAll(() => d.stop());

const call = (method: string, path: string, body?: unknown, token: string | null = "root") =>
  rawRequest(d.address, {
    method,
    path,
    headers: { "Content-Type": "application/json", ...(token ? { "X-Vault-Token": token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("faults over HTTP", () => {
  test("an injected status answers before Vault runs: no write, no audit entry", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "faults-")), "audit.log");
    expect((await call("PUT", "/v1/sys/audit/f", { type: "file", options: { file_path: log } })).status).toBe(
      204,
    );
    await call("POST", "/v1/secret/data/guarded", { data: { v: "old" } });
    const rules = [
      { kind: "status", status: 503, path: "secret/data/guarded", method: "POST", errors: ["try later"] },
    ];
    expect((await call("POST", "/_double/faults", rules, null)).status).toBe(200);
    const refused = await call("POST", "/v1/secret/data/guarded", { data: { v: "new" } });
    expect(refused.status).toBe(503);
    expect(refused.json).toEqual({ errors: ["try later"] });
    expect((await call("DELETE", "/_double/faults", undefined, null)).status).toBe(204);
    expect((await call("GET", "/v1/secret/data/guarded")).json.data.data).toEqual({ v: "old" });
    const writes = readFileSync(log, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => e.request.path === "secret/data/guarded" && e.request.operation !== "read");
    expect(writes).toHaveLength(2);
    await call("DELETE", "/v1/sys/audit/f");
  });

  test("refuse turns new connections away for ms, then the double accepts them again", async () => {
    await call("POST", "/_double/faults", [{ kind: "refuse", ms: 150 }], null);
    await expect(call("GET", "/v1/sys/health", undefined, null)).rejects.toThrow();
    await Bun.sleep(300);
    expect((await call("GET", "/v1/sys/health", undefined, null)).status).toBe(200);
  });

  test("seal makes /v1 answer 503 Vault is sealed and health 503; unseal restores both", async () => {
    await call("POST", "/_double/seal", undefined, null);
    const sealed = await call("GET", "/v1/secret/data/x");
    expect(sealed.status).toBe(503);
    expect(sealed.json).toEqual({ errors: ["Vault is sealed"] });
    expect((await call("GET", "/v1/sys/health", undefined, null)).status).toBe(503);
    await call("POST", "/_double/unseal", undefined, null);
    expect((await call("GET", "/v1/sys/health", undefined, null)).status).toBe(200);
  });

  test("standby makes sys/health answer 429", async () => {
    await call("POST", "/_double/standby", { standby: true }, null);
    expect((await call("GET", "/v1/sys/health", undefined, null)).status).toBe(429);
    await call("POST", "/_double/standby", { standby: false }, null);
    expect((await call("GET", "/v1/sys/health", undefined, null)).status).toBe(200);
  });

  test("moving the clock expires a token whose ttl has passed", async () => {
    const created = (await call("POST", "/v1/auth/token/create", { ttl: "30s" })).json.auth.client_token;
    expect((await call("GET", "/v1/auth/token/lookup-self", undefined, created)).status).toBe(200);
    await call("POST", "/_double/clock", { advance_ms: 31_000 }, null);
    expect((await call("GET", "/v1/auth/token/lookup-self", undefined, created)).status).toBe(403);
  });

  test("latency delays the matching requests only", async () => {
    await call("POST", "/_double/faults", [{ kind: "latency", ms: 120, path: "sys/mounts" }], null);
    let started = performance.now();
    await call("GET", "/v1/sys/mounts");
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    started = performance.now();
    await call("GET", "/v1/sys/health", undefined, null);
    expect(performance.now() - started).toBeLessThan(100);
    await call("DELETE", "/_double/faults", undefined, null);
  });
});
