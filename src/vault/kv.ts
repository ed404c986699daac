// The KV secrets engine, both versions. Version 1 stores the secret as the request body, with no
// history. Version 2 keeps versions under data/, the key's settings and version list under
// metadata/, and changes the state of chosen versions through delete/, undelete/ and destroy/;
// its answers are turned into Courier's shapes by pure functions, tested with real answer bodies.

import { isCleanNotFound, type VaultCaller, type VaultRequest, vaultPath } from "./http.ts";

/** Where a KV secret lives. */
export interface KvRef {
  /** "" for the root namespace, "team-a/" for a child. */
  namespace: string;
  /** With trailing slash: "secret/". */
  mount: string;
  /** Inside the mount, no leading slash: "app/db". */
  path: string;
}

/** What a KV v2 key's metadata holds that a destination can mirror. */
export interface Kv2Settings {
  max_versions: number;
  cas_required: boolean;
  /** Go duration as Vault prints it: "0s", "1h0m0s". */
  delete_version_after: string;
  custom_metadata: Record<string, string>;
}

export interface Kv2VersionInfo {
  created_time: string;
  /** "" when not deleted; may lie in the future when delete_version_after is set. */
  deletion_time: string;
  destroyed: boolean;
}

/** GET <mount>/metadata/<path>, reduced to what Courier uses. */
export interface Kv2Metadata {
  current_version: number;
  oldest_version: number;
  /** When the key last changed (a data write, a settings write); "" when Vault did not say. */
  updated_time?: string;
  settings: Kv2Settings;
  versions: Record<string, Kv2VersionInfo>;
}

/** GET <mount>/data/<path>: the four things the answer can mean. */
export type Kv2DataRead =
  | { state: "live"; version: number; data: Record<string, unknown>; info: Kv2DataInfo }
  | { state: "deleted"; version: number; info: Kv2DataInfo }
  | { state: "destroyed"; version: number; info: Kv2DataInfo }
  | { state: "absent" };

/**
 * What a data read says of its version and key besides the data (a deleted or destroyed
 * version's 404 says it too). custom_metadata is the
 * key's (as metadata/ holds it); undefined when the server's answer did not carry the field.
 */
export interface Kv2DataInfo {
  created_time: string;
  deletion_time: string;
  custom_metadata: Record<string, string> | undefined;
}

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

/**
 * KV version 2 over one Vault. A read tells live, deleted, destroyed and absent apart; writes and
 * version changes carry only what the caller decided.
 */
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

// KV v2's answers, turned into Courier's shapes.

/** Vault's defaults for a key whose metadata was never written. */
export const DEFAULT_KV2_SETTINGS: Kv2Settings = {
  max_versions: 0,
  cas_required: false,
  delete_version_after: "0s",
  custom_metadata: {},
};

/**
 * The data object of GET metadata/<path> → Kv2Metadata; null when it is not that shape.
 * parseMetadata({current_version: 2, max_versions: 0, cas_required: false, delete_version_after: "0s",
 *   custom_metadata: null, versions: {…}}) → {current_version: 2, settings: {…, custom_metadata: {}}, …}
 */
export function parseMetadata(data: unknown): Kv2Metadata | null {
  if (data === null || typeof data !== "object") return null;
  const d = data as Record<string, unknown>;
  if (typeof d.current_version !== "number") return null;
  const versions: Record<string, Kv2VersionInfo> = {};
  for (const [n, v] of Object.entries((d.versions as Record<string, unknown>) ?? {})) {
    const info = (v ?? {}) as Record<string, unknown>;
    versions[n] = {
      created_time: String(info.created_time ?? ""),
      deletion_time: String(info.deletion_time ?? ""),
      destroyed: info.destroyed === true,
    };
  }
  return {
    current_version: d.current_version,
    oldest_version: Number(d.oldest_version ?? 0),
    ...(typeof d.updated_time === "string" ? { updated_time: d.updated_time } : {}),
    settings: {
      max_versions: Number(d.max_versions ?? 0),
      cas_required: d.cas_required === true,
      delete_version_after: String(d.delete_version_after ?? "0s"),
      custom_metadata: stringMap(d.custom_metadata),
    },
    versions,
  };
}

/**
 * GET data/<path> → what it means. A 404 carrying version metadata is a deleted or destroyed
 * version; the caller decides what a plain 404 is (it is only "absent" when clean).
 * parseDataRead(404, {data: {data: null, metadata: {version: 3, destroyed: true, …}}}) → destroyed v3
 */
export function parseDataRead(status: number, body: unknown): Kv2DataRead | null {
  const outer = (body as { data?: unknown } | undefined)?.data;
  if (outer === null || typeof outer !== "object") return null;
  const { data, metadata } = outer as { data?: unknown; metadata?: Record<string, unknown> };
  if (!metadata || typeof metadata.version !== "number") return null;
  const version = metadata.version;
  const info: Kv2DataInfo = {
    created_time: String(metadata.created_time ?? ""),
    deletion_time: String(metadata.deletion_time ?? ""),
    custom_metadata: "custom_metadata" in metadata ? stringMap(metadata.custom_metadata) : undefined,
  };
  if (status === 200 && data !== null && typeof data === "object") {
    return { state: "live", version, data: data as Record<string, unknown>, info };
  }
  if (status !== 404) return null;
  return { state: metadata.destroyed === true ? "destroyed" : "deleted", version, info };
}

export type VersionState = "live" | "deleted" | "destroyed" | "none";

/**
 * The state of a version as its metadata says, at `now`. A deletion_time in the future is a
 * scheduled deletion (delete_version_after), not yet a deleted version.
 * versionState({deletion_time: "2020-01-01T00:00:00Z", destroyed: false}, now) → "deleted"
 */
export function versionState(info: Kv2VersionInfo | undefined, now: number): VersionState {
  if (!info) return "none";
  if (info.destroyed) return "destroyed";
  if (info.deletion_time !== "" && Date.parse(info.deletion_time) <= now) return "deleted";
  return "live";
}

/** folder("app") → "app/"; folder("") → "" */
function folder(path: string): string {
  return path === "" || path.endsWith("/") ? path : `${path}/`;
}

/** at({mount: "secret/", path: "app"}, "data") → "secret/data/app" */
function at(ref: KvRef, api: string): string {
  return vaultPath(ref.mount, api, ref.path);
}

/** stringMap(null) → {}; stringMap({a: "1"}) → {a: "1"} */
function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object") return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
