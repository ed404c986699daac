// A double started with {namespaces: false} answers like Vault Community Edition, which has no
// namespaces: its HTTP layer puts every request in the root and never reads X-Vault-Namespace
// (http/util.go, adjustRequest), and its system backend has no sys/namespaces. OpenBao has
// namespaces, so this cannot be a conformance case; it is written from Vault's source.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { VaultApi } from "../vault-api.ts";
import { startVaultDouble, type VaultDouble } from "./index.ts";

describe("a double without namespaces", () => {
  let double: VaultDouble;
  let vault: VaultApi;
  beforeAll(async () => {
    double = await startVaultDouble({ namespaces: false });
    vault = new VaultApi(double.address, double.rootToken);
  });
  afterAll(() => double.stop());

  test("has no sys/namespaces: creating, reading and listing are unsupported paths", async () => {
    for (const [method, path] of [
      ["POST", "sys/namespaces/team1"],
      ["GET", "sys/namespaces/team1"],
      ["GET", "sys/namespaces?list=true"],
    ] as const) {
      const reply = await vault.call(method, path, method === "POST" ? {} : undefined);
      expect({ method, path, status: reply.status }).toEqual({ method, path, status: 404 });
      expect(reply.body.errors.join("")).toContain("unsupported path");
    }
  });

  test("ignores X-Vault-Namespace: a write sent 'into' team1/ lands in the root's mount", async () => {
    const written = await vault.in("team1/").call("POST", "secret/data/app", { data: { v: "1" } });
    expect(written.status).toBe(200);
    expect(written.body.data.version).toBe(1);
    expect(await vault.kv2Data("secret", "app")).toEqual({ v: "1" });
  });

  test("reads a namespace-prefixed path as a path in the root (no such mount there)", async () => {
    const reply = await vault.call("GET", "team1/secret/data/app");
    expect(reply.status).toBe(404);
    expect(reply.body.errors.join("")).toContain("no handler for route");
  });
});

describe("a double with namespaces (the default), for contrast", () => {
  test("refuses a request into a namespace it does not have", async () => {
    const double = await startVaultDouble();
    try {
      const vault = new VaultApi(double.address, double.rootToken);
      const reply = await vault.in("team1/").call("POST", "secret/data/app", { data: { v: "1" } });
      expect(reply.status).toBe(404);
      expect(reply.body.errors).toEqual(["namespace not found"]);
    } finally {
      await double.stop();
    }
  });
});
