// KV version 1: the secret is the request body and the answer's data, with no history.

import type { VaultCaller } from "./caller.ts";
import type { KvRef } from "./types.ts";
import { vaultPath } from "./vault-http.ts";

export class Kv1Api {
  constructor(private readonly vault: VaultCaller) {}

  /** GET <mount>/<path> → the secret, or null when nothing is stored there (clean 404). */
  async read(ref: KvRef): Promise<Record<string, unknown> | null> {
    const request = {
      method: "GET",
      path: vaultPath(ref.mount, ref.path),
      namespace: ref.namespace,
    } as const;
    const body = await this.vault.readOrAbsent(request);
    if (body === null) return null;
    const data = (body as { data?: unknown }).data;
    if (data === null || typeof data !== "object") {
      throw this.vault.http.malformed(request, { status: 200, body: undefined }, "KV read without data");
    }
    return data as Record<string, unknown>;
  }

  /** PUT <mount>/<path> with the secret as the body. */
  async write(ref: KvRef, data: Record<string, unknown>): Promise<void> {
    await this.vault.expect({
      method: "PUT",
      path: vaultPath(ref.mount, ref.path),
      namespace: ref.namespace,
      body: data,
    });
  }

  /** DELETE <mount>/<path>; Vault answers 204 whether or not it existed. */
  async delete(ref: KvRef): Promise<void> {
    await this.vault.expect({
      method: "DELETE",
      path: vaultPath(ref.mount, ref.path),
      namespace: ref.namespace,
    });
  }

  /** Keys under a folder ("" for the mount's root); folders end with "/". */
  list(ref: KvRef): Promise<string[]> {
    return this.vault.list({ path: vaultPath(ref.mount, folder(ref.path)), namespace: ref.namespace });
  }
}

/** folder("app") → "app/"; folder("") → "" */
export function folder(path: string): string {
  return path === "" || path.endsWith("/") ? path : `${path}/`;
}
