// The one model of a mount, and the Vault calls that read and make mounts. The classifier's table
// (audit/mount-table.ts), the passes and the sync workers all hold this MountInfo, parsed here from
// sys/mounts. sys/mounts lists every mount but needs broad rights; sys/internal/ui/mounts/<path>
// answers for one path to any token that can reach it. Vault answers the latter with 403 both for
// a path it may not see and for a mount that does not exist (so it cannot be used to probe for
// mounts): Courier reads that as "not there".

import { VaultCallError } from "./errors.ts";
import { type VaultCaller, type VaultRequest, vaultPath } from "./http.ts";
import { SingleFlight } from "./single-flight.ts";

/** One secret engine as the mount table describes it. */
export interface MountInfo {
  /** With trailing slash: "secret/". */
  path: string;
  type: string;
  description: string;
  options: Record<string, string>;
  /** 1 or 2 for KV mounts (type "kv" or the old "generic"), null for any other engine: kvVersionOf. */
  kvVersion: 1 | 2 | null;
}

/** What a new mount is created with. */
export interface MountSpec {
  type: string;
  description?: string;
  options?: Record<string, string>;
}

/** What ensure() did: made the mount, or found one of the wanted kind already there. */
export type Ensured = "created" | "existing";

interface Cached<T> {
  value: T;
  at: number;
}

export class MountsApi {
  private readonly tables = new Map<string, Cached<Map<string, MountInfo> | "denied">>();
  private readonly single = new Map<string, Cached<MountInfo>>();
  private readonly making = new SingleFlight<Ensured>();

  constructor(
    private readonly vault: VaultCaller,
    private readonly cacheMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** GET sys/mounts → every secret engine of the namespace, keyed "secret/". */
  async table(namespace: string): Promise<Map<string, MountInfo>> {
    const request: VaultRequest = { method: "GET", path: "sys/mounts", namespace };
    const mounts = parseMountTable(await this.vault.expect(request));
    if (!mounts)
      throw this.vault.http.malformed(request, { status: 200, body: undefined }, "not a JSON object");
    return new Map(mounts.map((mount) => [mount.path, mount]));
  }

  /** GET sys/internal/ui/mounts/<mount> → that mount, or null when Vault says 403 (see above). */
  async describe(namespace: string, mount: string): Promise<MountInfo | null> {
    const request: VaultRequest = {
      method: "GET",
      path: vaultPath("sys/internal/ui/mounts", mount),
      namespace,
    };
    const reply = await this.vault.call(request);
    if (reply.status === 403) return null;
    if (reply.status !== 200) throw this.vault.http.failure(request, reply);
    const data = (reply.body as { data?: Record<string, unknown> } | undefined)?.data;
    if (!data || typeof data.path !== "string")
      throw this.vault.http.malformed(request, reply, "no mount path");
    // The answer names the mount that holds the path; a path inside another mount is no mount.
    return data.path === withSlash(mount) ? mountInfo(data.path, data) : null;
  }

  /**
   * The mount at exactly `mount` ("secret/"), or null. A mount found is trusted for a while; a
   * mount not found is asked for again every time, so a mount made a moment ago is seen at once.
   */
  async find(namespace: string, mount: string): Promise<MountInfo | null> {
    const path = withSlash(mount);
    for (const fresh of [false, true]) {
      const table = await this.cachedTable(namespace, fresh);
      if (table === "denied") return this.findOne(namespace, path);
      const found = table.get(path);
      if (found) return found;
    }
    return null;
  }

  /**
   * POST sys/mounts/<mount> with type, description and options. A mount someone else made in the
   * meantime is a conflict worth retrying, as the next look finds it: Vault answers 409 "existing
   * mount at …" (older Vault: 400, same words) or "path is already in use at …".
   */
  async create(namespace: string, mount: string, spec: MountSpec): Promise<void> {
    const request: VaultRequest = {
      method: "POST",
      path: vaultPath("sys/mounts", mount.replace(/\/+$/, "")),
      namespace,
      body: { type: spec.type, description: spec.description ?? "", options: spec.options ?? {} },
    };
    const reply = await this.vault.call(request);
    this.forget(namespace);
    if (reply.status === 200 || reply.status === 204) return;
    const failure = this.vault.http.failure(request, reply);
    if (failure.reason === "bad-request" && /existing mount at|already in use/.test(failure.vaultMessage)) {
      throw new VaultCallError("conflict", failure.call, reply.status, failure.vaultMessage);
    }
    throw failure;
  }

  /**
   * A mount of spec's kind at `mount`, made at most once at a time: the keys of one new mount,
   * synced side by side, all wait on one POST. "Already in use" (another worker thread or another
   * Courier made it first) is success when a fresh look finds the wanted type and KV version
   * there; a mount of another kind is a failure no retry mends. Only the caller whose POST made
   * the mount hears "created".
   */
  async ensure(namespace: string, mount: string, spec: MountSpec): Promise<Ensured> {
    const path = withSlash(mount);
    const made = await this.making.run(`${namespace}\u0000${path}`, () =>
      this.createOrAdopt(namespace, path, spec),
    );
    return made.joined ? "existing" : made.value;
  }

  /** Drops what is cached for a namespace, so the next find() asks Vault again. */
  forget(namespace: string): void {
    this.tables.delete(namespace);
    for (const key of this.single.keys()) if (key.startsWith(`${namespace}\u0000`)) this.single.delete(key);
  }

  private async createOrAdopt(namespace: string, path: string, spec: MountSpec): Promise<Ensured> {
    try {
      await this.create(namespace, path, spec);
      return "created";
    } catch (error) {
      if (!(error instanceof VaultCallError && error.reason === "conflict")) throw error;
      // create() dropped the cache: this looks at the mount table as it is now.
      const found = await this.find(namespace, path);
      if (!found) throw error;
      if (sameKind(found, spec)) return "existing";
      const wanted = kindOf({ type: spec.type, kvVersion: kvVersionOf(spec.type, spec.options) });
      const message = `${error.vaultMessage}: ${kindOf(found)} is there, not ${wanted}`;
      throw new VaultCallError("bad-request", error.call, error.status, message);
    }
  }

  private async findOne(namespace: string, path: string): Promise<MountInfo | null> {
    const key = `${namespace}\u0000${path}`;
    const hit = this.single.get(key);
    if (hit && this.now() - hit.at < this.cacheMs) return hit.value;
    const value = await this.describe(namespace, path);
    if (value) this.single.set(key, { value, at: this.now() });
    return value;
  }

  private async cachedTable(namespace: string, fresh: boolean): Promise<Map<string, MountInfo> | "denied"> {
    const hit = this.tables.get(namespace);
    if (hit && (hit.value === "denied" || !fresh) && this.now() - hit.at < this.cacheMs) return hit.value;
    let value: Map<string, MountInfo> | "denied";
    try {
      value = await this.table(namespace);
    } catch (error) {
      if (!(error instanceof VaultCallError && error.reason === "permission-denied")) throw error;
      value = "denied";
    }
    this.tables.set(namespace, { value, at: this.now() });
    return value;
  }
}

/**
 * The mounts of a `GET sys/mounts` body, or null when the body is not a JSON object. Vault answers
 * with the mounts both at the top level (the old shape, kept for compatibility) and under `data`
 * (newer); either alone works, and `data` wins when both are there.
 * parseMountTable({"data":{"secret/":{"type":"kv","options":{"version":"2"}}}})
 *   → [{path:"secret/", type:"kv", description:"", options:{version:"2"}, kvVersion:2}]
 */
export function parseMountTable(body: unknown): MountInfo[] | null {
  if (!isObject(body)) return null;
  const data = body.data;
  const source =
    isObject(data) && Object.keys(data).some((key) => isMountEntry(key, data[key])) ? data : body;
  const mounts: MountInfo[] = [];
  for (const [path, entry] of Object.entries(source)) {
    if (isMountEntry(path, entry)) mounts.push(mountInfo(path, entry));
  }
  return mounts;
}

/**
 * One mount-table entry → MountInfo.
 * mountInfo("secret/", {type: "kv", options: {version: "2"}}) → {…, kvVersion: 2}
 */
export function mountInfo(path: string, entry: object): MountInfo {
  const e = entry as { type?: unknown; description?: unknown; options?: unknown };
  const type = String(e.type ?? "");
  const options: Record<string, string> = {};
  if (e.options && typeof e.options === "object") {
    for (const [k, v] of Object.entries(e.options)) if (v !== null && v !== undefined) options[k] = String(v);
  }
  return {
    path,
    type,
    description: String(e.description ?? ""),
    options,
    kvVersion: kvVersionOf(type, options),
  };
}

/**
 * The KV version a mount serves, or null when it is not KV. A mount table says "kv" with the
 * version in options.version ("2" is v2; absent, "" or "1" is v1), or "generic", KV v1's old name,
 * which Vault keeps as enabled and serves with KV (a tune can take it to v2 like any KV mount).
 * "kv-v1" and "kv-v2" never appear in a table: they are aliases a request to enable a mount may
 * use, and Vault stores them as "kv" with the alias's version, whatever options.version said
 * (test/conformance/sys-mounts.test.ts, on the double and on OpenBao). So a spec naming one makes
 * a mount of that version.
 * kvVersionOf("kv", {version:"2"}) → 2; kvVersionOf("kv-v1", {version:"2"}) → 1; kvVersionOf("pki", {}) → null
 */
export function kvVersionOf(type: string, options: unknown): 1 | 2 | null {
  if (type === "kv-v1") return 1;
  if (type === "kv-v2") return 2;
  if (type !== "kv" && type !== "generic") return null;
  return isObject(options) && options.version === "2" ? 2 : 1;
}

/** The mount to create on a destination: the source's type and options ("generic" is kv's old name). */
export function mountSpecFrom(mount: MountInfo): MountSpec {
  return {
    type: mount.type === "generic" ? "kv" : mount.type,
    description: mount.description,
    options: mount.options,
  };
}

/** kindOf({type:"kv", kvVersion:2}) → "KV v2"; kindOf({type:"pki", kvVersion:null}) → "a pki mount" */
export function kindOf(mount: Pick<MountInfo, "type" | "kvVersion">): string {
  return mount.kvVersion === null ? `a ${mount.type} mount` : `KV v${mount.kvVersion}`;
}

/** A mount of the kind `spec` asks for: the same KV version, or the same engine for any other. */
function sameKind(found: MountInfo, spec: MountSpec): boolean {
  const kvVersion = kvVersionOf(spec.type, spec.options);
  return found.kvVersion === kvVersion && (kvVersion !== null || found.type === spec.type);
}

function withSlash(mount: string): string {
  return mount.endsWith("/") ? mount : `${mount}/`;
}

function isMountEntry(path: string, entry: unknown): entry is { type: string } {
  return path.endsWith("/") && isObject(entry) && typeof entry.type === "string";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
