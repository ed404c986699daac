import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { VaultClient } from "../../src/vault/client.ts";
import { VaultCallError } from "../../src/vault/errors.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";
import { makeTestPki } from "./test-pki.ts";

const pki = makeTestPki();
let vault: VaultDouble;

beforeAll(async () => {
  if (pki) vault = await startVaultDouble({ tls: { cert: pki.cert, key: pki.key } });
});
afterAll(() => vault?.stop());

describe.skipIf(!pki)("a Vault served over HTTPS with a private CA", () => {
  const connect = (tls: ConstructorParameters<typeof VaultClient>[0]["tls"]) =>
    new VaultClient({ address: vault.address, auth: { method: "token", token: vault.rootToken }, tls });

  test("is read and written when the client trusts that CA", async () => {
    const client = connect({ ca: pki!.ca });
    expect(vault.address).toStartWith("https://");
    await client.kv2.writeData({ namespace: "", mount: "secret/", path: "tls" }, { v: "1" });
    expect(await client.kv2.readData({ namespace: "", mount: "secret/", path: "tls" })).toMatchObject({
      data: { v: "1" },
    });
    client.close();
  });

  test("is refused, as a TLS failure naming the Vault, when the client trusts another CA", async () => {
    const client = connect({ ca: pki!.otherCa });
    const error = await client.kv2.readData({ namespace: "", mount: "secret/", path: "tls" }).catch((e) => e);
    expect(error).toBeInstanceOf(VaultCallError);
    expect([error.reason, error.transient, error.code]).toEqual(["tls", false, "VAULT_UNREACHABLE"]);
    // The first call is the token lookup; it fails the same way any call would.
    expect(error.message).toBe(
      `${vault.address}: GET auth/token/lookup-self failed: tls (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
    );
    client.close();
  });
});
