// The request counter benchmarks and tests read: every /v1 request by method, and by the operation
// Vault ran it as, readable and resettable over the control API.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rawRequest } from "../../conformance/raw-http.ts";
import { startVaultDouble, type VaultDouble } from "./index.ts";

let d: VaultDouble;
beforeAll(async () => {
  d = await startVaultDouble();
});
afterAll(() => d.stop());

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  rawRequest(d.address, {
    method,
    path,
    headers: { "Content-Type": "application/json", "X-Vault-Token": "root", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const stats = async () =>
  (await rawRequest(d.controlAddress, { method: "GET", path: "/_double/stats" })).json;
const reset = () => rawRequest(d.controlAddress, { method: "DELETE", path: "/_double/stats" });

describe("request stats", () => {
  test("count each /v1 request by method and by the operation after the existence check", async () => {
    expect((await reset()).status).toBe(204);
    await call("GET", "/v1/sys/health");
    await call("POST", "/v1/secret/data/counted", { data: { a: "1" } });
    await call("POST", "/v1/secret/data/counted", { data: { a: "2" } });
    await call("GET", "/v1/secret/data/counted");
    await call("LIST", "/v1/secret/metadata/");
    await call("GET", "/v1/secret/metadata/?list=true");
    await call(
      "PATCH",
      "/v1/secret/data/counted",
      { data: { b: "3" } },
      {
        "Content-Type": "application/merge-patch+json",
      },
    );
    await call("DELETE", "/v1/secret/data/counted");
    expect(await stats()).toEqual({
      total: 8,
      by_method: { GET: 3, POST: 2, LIST: 1, PATCH: 1, DELETE: 1 },
      by_operation: { read: 1, list: 2, create: 1, update: 1, delete: 1, patch: 1 },
      by_sys_path: { "sys/health": 1 },
    });
    expect(d.ctx.stats.total).toBe(8);
    expect(d.ctx.stats.byOperation.create).toBe(1);
  });

  test("count refused and fault-answered requests in total and by method only; control routes not at all", async () => {
    await reset();
    await call("GET", "/v1/secret/data/x", undefined, { "X-Vault-Token": "hvs.bad" });
    await call("POST", "/_double/faults", [{ kind: "status", status: 503 }]);
    await call("GET", "/v1/secret/data/x");
    await call("DELETE", "/_double/faults");
    const seen = await stats();
    expect(seen.total).toBe(2);
    expect(seen.by_method).toEqual({ GET: 2 });
    // The bad token was refused after Vault knew the operation; the fault answered before it.
    expect(seen.by_operation.read).toBe(1);
  });

  test("a reset starts every count from zero", async () => {
    await call("GET", "/v1/sys/mounts");
    expect((await reset()).status).toBe(204);
    expect(await stats()).toEqual({
      total: 0,
      by_method: {},
      by_operation: { read: 0, list: 0, create: 0, update: 0, delete: 0, patch: 0 },
      by_sys_path: {},
    });
  });

  test("count system requests by their first two path segments, never key paths", async () => {
    await reset();
    await call("GET", "/v1/sys/mounts");
    await call("GET", "/v1/sys/mounts/secret");
    await call("GET", "/v1/sys/leader");
    await call("GET", "/v1/secret/data/sys/mounts");
    expect((await stats()).by_sys_path).toEqual({ "sys/mounts": 2, "sys/leader": 1 });
  });
});
