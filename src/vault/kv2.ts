// KV version 2: data/ holds versions, metadata/ the key's settings and version list, and delete/,
// undelete/, destroy/ change the state of chosen versions.

import type { VaultCaller } from "./caller.ts";
import { folder } from "./kv1.ts";
import { parseDataRead, parseMetadata } from "./kv2-shapes.ts";
import type { Kv2DataRead, Kv2Metadata, Kv2Settings, KvRef } from "./types.ts";
import { isCleanNotFound, type VaultRequest, vaultPath } from "./vault-http.ts";

export class Kv2Api {
  constructor(private readonly vault: VaultCaller) {}

  /** GET data/<path>[?version=N]: live data, a deleted or destroyed version, or absent. */
  async readData(ref: KvRef, version?: number): Promise<Kv2DataRead> {
    const request: VaultRequest = {
      method: "GET",
      path: at(ref, "data"),
      namespace: ref.namespace,
      ...(version === undefined ? {} : { query: { version: String(version) } }),
    };
    const reply = await this.vault.call(request);
    if (isCleanNotFound(reply)) return { state: "absent" };
    if (reply.status !== 200 && reply.status !== 404) throw this.vault.http.failure(request, reply);
    const read = parseDataRead(reply.status, reply.body);
    if (read) return read;
    if (reply.status === 404) throw this.vault.http.failure(request, reply);
    throw this.vault.http.malformed(request, reply, "KV v2 read without data and metadata");
  }

  /** GET metadata/<path> → the key's settings and versions; null when the key does not exist. */
  async readMetadata(ref: KvRef): Promise<Kv2Metadata | null> {
    const request: VaultRequest = { method: "GET", path: at(ref, "metadata"), namespace: ref.namespace };
    const body = await this.vault.readOrAbsent(request);
    if (body === null) return null;
    const metadata = parseMetadata((body as { data?: unknown }).data);
    if (!metadata) throw this.vault.http.malformed(request, { status: 200, body: undefined }, "bad metadata");
    return metadata;
  }

  /** POST data/<path>; `cas` makes it conditional on the current version (0 = only if absent). */
  async writeData(ref: KvRef, data: Record<string, unknown>, cas?: number): Promise<number> {
    const body = await this.vault.expect({
      method: "POST",
      path: at(ref, "data"),
      namespace: ref.namespace,
      body: cas === undefined ? { data } : { data, options: { cas } },
    });
    return Number((body as { data?: { version?: unknown } } | undefined)?.data?.version ?? 0);
  }

  /** POST metadata/<path> with the settings given; the others keep their value. */
  async writeMetadata(ref: KvRef, settings: Partial<Kv2Settings>): Promise<void> {
    await this.vault.expect({
      method: "POST",
      path: at(ref, "metadata"),
      namespace: ref.namespace,
      body: settings,
    });
  }

  /** DELETE metadata/<path>: the key and every version, gone for good. */
  async deleteMetadata(ref: KvRef): Promise<void> {
    await this.vault.expect({ method: "DELETE", path: at(ref, "metadata"), namespace: ref.namespace });
  }

  /** DELETE data/<path>: soft-deletes the latest version. */
  async deleteLatest(ref: KvRef): Promise<void> {
    await this.vault.expect({ method: "DELETE", path: at(ref, "data"), namespace: ref.namespace });
  }

  deleteVersions(ref: KvRef, versions: number[]): Promise<void> {
    return this.versionsAction(ref, "delete", versions);
  }

  undeleteVersions(ref: KvRef, versions: number[]): Promise<void> {
    return this.versionsAction(ref, "undelete", versions);
  }

  destroyVersions(ref: KvRef, versions: number[]): Promise<void> {
    return this.versionsAction(ref, "destroy", versions);
  }

  /** Keys under a folder ("" for the mount's root), via metadata/. */
  list(ref: KvRef): Promise<string[]> {
    return this.vault.list({
      path: vaultPath(ref.mount, "metadata", folder(ref.path)),
      namespace: ref.namespace,
    });
  }

  private async versionsAction(ref: KvRef, action: string, versions: number[]): Promise<void> {
    await this.vault.expect({
      method: "POST",
      path: at(ref, action),
      namespace: ref.namespace,
      body: { versions },
      // These paths have no existence check: Vault asks for "update" only.
      capabilities: ["update"],
    });
  }
}

/** at({mount: "secret/", path: "app"}, "data") → "secret/data/app" */
function at(ref: KvRef, api: string): string {
  return vaultPath(ref.mount, api, ref.path);
}
