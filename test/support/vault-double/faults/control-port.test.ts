// Refusing connections for real on the Vault port while the control API stays reachable on a port
// of its own, so a test can always see and end the refusal.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rawRequest } from "../../../conformance/raw-http.ts";
import { startVaultDouble, type VaultDouble } from "../index.ts";

let d: VaultDouble;
beforeAll(async () => {
  d = await startVaultDouble();
});
afterAll(() => d.stop());

const call = (address: string, method: string, path: string, body?: unknown) =>
  rawRequest(address, {
    method,
    path,
    headers: { "Content-Type": "application/json", "X-Vault-Token": "root" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** What connecting to the Vault port does now: an answer's status, or the connect error's code. */
async function vaultPort(): Promise<number | string> {
  try {
    return (await fetch(`${d.address}/v1/sys/health`)).status;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe("the control port", () => {
  test("is a second address that answers the /_double/ routes, and only those", async () => {
    expect(d.controlPort).not.toBe(d.port);
    expect(d.controlAddress).toBe(`http://127.0.0.1:${d.controlPort}`);
    expect((await call(d.controlAddress, "GET", "/_double/clock")).json.now_ms).toBeGreaterThan(0);
    const vaultPath = await call(d.controlAddress, "GET", "/v1/sys/health");
    expect(vaultPath.status).toBe(404);
  });

  test("while a refuse rule holds, /v1 connections are refused and the rule can be read and cleared", async () => {
    const set = await call(d.controlAddress, "POST", "/_double/faults", [{ kind: "refuse" }]);
    expect(set.status).toBe(200);
    expect(await vaultPort()).toBe("ECONNREFUSED");
    const listed = await call(d.controlAddress, "GET", "/_double/faults");
    expect(listed.json).toEqual({ rules: [{ kind: "refuse" }] });
    expect((await call(d.controlAddress, "DELETE", "/_double/faults")).status).toBe(204);
    expect(await vaultPort()).toBe(200);
  });

  test("a refuse rule set on the Vault port itself still answers the request that set it", async () => {
    const set = await call(d.address, "POST", "/_double/faults", [{ kind: "refuse" }]);
    expect(set.status).toBe(200);
    expect(set.json).toEqual({ rules: [{ kind: "refuse" }] });
    expect(await vaultPort()).toBe("ECONNREFUSED");
    expect((await call(d.controlAddress, "DELETE", "/_double/faults")).status).toBe(204);
    expect(await vaultPort()).toBe(200);
  });

  test("a keep-alive client on the Vault port gets its answer to the rule, then a refused connection", async () => {
    expect(await vaultPort()).toBe(200);
    const set = await fetch(`${d.address}/_double/faults`, {
      method: "POST",
      body: JSON.stringify([{ kind: "refuse", ms: 200 }]),
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ rules: [{ kind: "refuse", ms: 200 }] });
    expect(await vaultPort()).toBe("ECONNREFUSED");
    await Bun.sleep(300);
    expect(await vaultPort()).toBe(200);
  });

  test("ctx.setListening turns the Vault port off and on without touching the control port", async () => {
    await d.ctx.setListening(false);
    expect(await vaultPort()).toBe("ECONNREFUSED");
    expect((await call(d.controlAddress, "GET", "/_double/faults")).status).toBe(200);
    await d.ctx.setListening(true);
    expect(await vaultPort()).toBe(200);
  });
});
