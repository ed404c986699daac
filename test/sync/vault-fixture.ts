// Three Vault doubles (a source and two destinations) on free ports, with Courier's client for
// each and a bare-fetch helper that reads what a Vault holds the way an operator would.

import { VaultClient } from "../../src/vault/client.ts";
import { startVaultDouble } from "../support/vault-double/index.ts";

/** A Vault answer's body, read field by field in assertions (a wrong guess fails the test). */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked by the assertions that read them
export type Body = any;

export interface Vault {
  address: string;
  rootToken: string;
  client: VaultClient;
  /** One HTTP call with the root token; `namespace` goes in X-Vault-Namespace. */
  api(
    method: string,
    path: string,
    body?: unknown,
    namespace?: string,
  ): Promise<{ status: number; body: Body }>;
  stop(): Promise<void>;
}

export async function startVault(): Promise<Vault> {
  const double = await startVaultDouble();
  const client = new VaultClient({
    address: double.address,
    auth: { method: "token", token: double.rootToken },
  });
  const api = async (method: string, path: string, body?: unknown, namespace = "") => {
    const response = await fetch(`${double.address}/v1/${path}`, {
      method,
      headers: {
        "X-Vault-Token": double.rootToken,
        ...(namespace ? { "X-Vault-Namespace": namespace } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    address: double.address,
    rootToken: double.rootToken,
    client,
    api,
    stop: async () => {
      client.close();
      await double.stop();
    },
  };
}

/** Mounts a KV engine at `path` ("kv", no slash) on each Vault, unless it is there already (dev mode has secret/). */
export async function mountKv(vaults: Vault[], path: string, version: 1 | 2, namespace = ""): Promise<void> {
  for (const vault of vaults) {
    const existing = (await vault.api("GET", "sys/mounts", undefined, namespace)).body?.data?.[`${path}/`];
    if (existing?.type === "kv" && (existing.options?.version ?? "1") === String(version)) continue;
    const body = { type: "kv", options: { version: String(version) } };
    const reply = await vault.api("POST", `sys/mounts/${path}`, body, namespace);
    if (reply.status !== 204 && reply.status !== 200) {
      throw new Error(
        `mounting ${path} on ${vault.address} failed: ${reply.status} ${JSON.stringify(reply.body)}`,
      );
    }
  }
}

/** Asserts a call worked; the double's answer is in the message when it did not. */
export async function ok(reply: Promise<{ status: number; body: Body }>): Promise<Body> {
  const { status, body } = await reply;
  if (status !== 200 && status !== 204)
    throw new Error(`expected success, got ${status} ${JSON.stringify(body)}`);
  return body;
}
