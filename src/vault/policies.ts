// ACL policies through sys/policies/acl/<name>. The legacy sys/policy/<name> API names the same
// policies, so Courier reads and writes through this one only. Vault lowercases policy names.

import type { VaultCaller } from "./http.ts";
import { vaultPath } from "./http.ts";

export class PoliciesApi {
  constructor(private readonly vault: VaultCaller) {}

  /** The policy's HCL text, or null when there is no such policy (clean 404). */
  async read(namespace: string, name: string): Promise<string | null> {
    const request = { method: "GET", path: at(name), namespace } as const;
    const body = await this.vault.readOrAbsent(request);
    if (body === null) return null;
    const policy = (body as { data?: { policy?: unknown } }).data?.policy;
    if (typeof policy !== "string") {
      throw this.vault.http.malformed(request, { status: 200, body: undefined }, "policy without text");
    }
    return policy;
  }

  async write(namespace: string, name: string, policy: string): Promise<void> {
    await this.vault.expect({ method: "PUT", path: at(name), namespace, body: { policy } });
  }

  async delete(namespace: string, name: string): Promise<void> {
    await this.vault.expect({ method: "DELETE", path: at(name), namespace });
  }

  list(namespace: string): Promise<string[]> {
    return this.vault.list({ path: "sys/policies/acl", namespace });
  }
}

/** at("Admins") → "sys/policies/acl/admins" */
function at(name: string): string {
  return vaultPath("sys/policies/acl", name.toLowerCase());
}
