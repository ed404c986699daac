// Namespaces (Vault Enterprise, OpenBao ≥ 2.3) through sys/namespaces: the ones below a namespace,
// and making one missing on a destination. A namespace is named by its full path with a trailing
// slash ("team1/sub/"; "" is the root); Vault itself takes one segment at a time, created and read
// inside its parent (OpenBao answers "namespace name cannot contain /" otherwise). A server without
// namespaces has no sys/namespaces route: it answers 404 with a message (or 405), not the clean
// 404 of "no such namespace".

import { CourierError } from "../errors.ts";
import { VaultCallError } from "./errors.ts";
import { isCleanNotFound, type VaultCaller, vaultPath } from "./http.ts";
import type { Ensured } from "./mounts.ts";
import { SingleFlight } from "./single-flight.ts";

export type CustomMetadata = Record<string, string>;

export interface EnsureNamespace {
  /** Make what is missing (sync.create_mounts); otherwise a missing namespace is an error. */
  create: boolean;
  /** The custom_metadata a namespace is made with: the source's. */
  metadataOf(path: string): Promise<CustomMetadata>;
}

export class NamespacesApi {
  /** Namespaces seen to exist: a sync into them need not ask again. */
  readonly #present = new Set<string>([""]);
  readonly #making = new SingleFlight<Ensured>();

  constructor(
    private readonly vault: VaultCaller,
    /** How messages name this Vault. */
    private readonly address: string,
  ) {}

  /** children("team1/") → ["team1/sub/"]; a Vault without namespaces, or a token denied the list, has none. */
  async children(namespace: string): Promise<string[]> {
    let keys: string[];
    try {
      keys = await this.vault.list({ path: "sys/namespaces", namespace });
    } catch (error) {
      if (noNamespaceSupport(error)) return [];
      // A token kept to the root (as `courier setup-policy` writes it) sees no namespaces below.
      if (error instanceof VaultCallError && error.reason === "permission-denied") return [];
      throw error;
    }
    return keys.filter((key) => key.endsWith("/")).map((key) => namespace + key);
  }

  /** Every namespace below `namespace`, each after its parent: ["team1/", "team1/sub/", "team2/"]. */
  async descendants(namespace: string): Promise<string[]> {
    const found: string[] = [];
    for (const child of (await this.children(namespace)).sort()) {
      found.push(child, ...(await this.descendants(child)));
    }
    return found;
  }

  /** The namespace's custom_metadata, or null when it (or a parent) does not exist. */
  async read(path: string): Promise<CustomMetadata | null> {
    const { parent, name } = splitNamespace(path);
    const request = { method: "GET", path: vaultPath("sys/namespaces", name), namespace: parent } as const;
    let body: unknown;
    try {
      body = await this.vault.readOrAbsent(request);
    } catch (error) {
      if (namespaceNotFound(error)) return null;
      throw await this.whyNoRoute(path, error);
    }
    if (body === null) return null;
    const metadata = (body as { data?: { custom_metadata?: unknown } }).data?.custom_metadata;
    return metadataFrom(metadata);
  }

  /** POST sys/namespaces/<name> inside its parent. Sent again, it would replace custom_metadata. */
  async create(path: string, customMetadata: CustomMetadata): Promise<void> {
    const { parent, name } = splitNamespace(path);
    const body = { custom_metadata: customMetadata };
    const request = {
      method: "POST",
      path: vaultPath("sys/namespaces", name),
      namespace: parent,
      body,
    } as const;
    try {
      await this.vault.expect(request);
    } catch (error) {
      // Another worker thread or Courier is making it this very moment (OpenBao answers 400).
      if (error instanceof VaultCallError && /currently being created/.test(error.vaultMessage)) {
        throw new VaultCallError("conflict", error.call, error.status, error.vaultMessage);
      }
      throw await this.whyNoRoute(path, error);
    }
  }

  /**
   * DELETE sys/namespaces/<name> inside its parent, with everything in it. OpenBao answers at once
   * ("in-progress") and removes it in the background; until a child's removal ends, the child is
   * still listed (tainted) and the parent's DELETE is refused ("containing child namespaces"), so
   * that refusal is waited out. A namespace already gone is no error.
   */
  async delete(path: string): Promise<void> {
    const { parent, name } = splitNamespace(path);
    const request = { method: "DELETE", path: vaultPath("sys/namespaces", name), namespace: parent } as const;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.vault.expect(request);
        this.forget(path);
        return;
      } catch (error) {
        const wait = DELETION_WAITS_MS[attempt];
        if (wait === undefined || !childrenLeft(error)) throw error;
        await Bun.sleep(wait);
      }
    }
  }

  /**
   * `path` and each parent exist, parents made first, each at most once at a time (the keys of a
   * new namespace, synced side by side, wait on one attempt). "created" when this call made one.
   */
  async ensure(path: string, options: EnsureNamespace): Promise<Ensured> {
    if (this.#present.has(path)) return "existing";
    const made = await this.#making.run(path, () => this.makeLevels(path, options));
    return made.joined ? "existing" : made.value;
  }

  /**
   * The levels of `path` this Vault lacks, parents first, without making any: what a sync would
   * make. missingLevels("team1/sub/") → ["team1/sub/"] where only team1/ exists.
   */
  async missingLevels(path: string): Promise<string[]> {
    const levels = levelsOf(path);
    for (const [i, level] of levels.entries()) {
      if (this.#present.has(level)) continue;
      // Below a missing level nothing can exist: no need to ask.
      if ((await this.read(level)) === null) return levels.slice(i);
      this.#present.add(level);
    }
    return [];
  }

  /** A namespace was found missing after all: the next ensure() looks again (its children too). */
  forget(path: string): void {
    if (path === "") return;
    for (const known of this.#present) if (known.startsWith(path)) this.#present.delete(known);
  }

  private async makeLevels(path: string, options: EnsureNamespace): Promise<Ensured> {
    let result: Ensured = "existing";
    for (const level of levelsOf(path)) {
      if (this.#present.has(level)) continue;
      if (await this.makeLevel(level, options)) result = "created";
      this.#present.add(level);
    }
    return result;
  }

  /**
   * true when this call made the namespace. A parent someone else is making this very moment (its
   * routes not ready yet), or this one being made by them, is waited for and looked at again.
   */
  private async makeLevel(path: string, options: EnsureNamespace): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await this.read(path)) !== null) return false;
        if (!options.create) throw namespaceMissing(this.address, path);
        await this.create(path, await options.metadataOf(path));
        return true;
      } catch (error) {
        const wait = CREATION_WAITS_MS[attempt];
        if (wait === undefined || !settling(error)) throw error;
        await Bun.sleep(wait);
      }
    }
  }

  /**
   * A namespace call that found no route: either this server has no namespaces at all (its root
   * has no sys/namespaces either), or the namespace's parent is still being made (OpenBao answers
   * "no handler for route … route entry not found" for a moment). Anything else is left as it was.
   */
  private async whyNoRoute(path: string, error: unknown): Promise<unknown> {
    if (!noNamespaceSupport(error)) return error;
    const root = await this.vault.call({ method: "GET", path: "sys/namespaces", list: true });
    const served = root.status === 200 || isCleanNotFound(root);
    if (!served) return unsupported(this.address, path, error);
    return new VaultCallError("upgrading", error.call, error.status, error.vaultMessage);
  }
}

/** Waits, in turn, for a namespace someone else is making: 1.5 s in all. */
const CREATION_WAITS_MS = [50, 100, 200, 400, 800];

/**
 * Waits for a namespace's children to finish going before it can go: about 13 s in all (a child
 * of 4,000 keys took ~0.1 s on OpenBao 2.7.2 on loopback; a large one on real storage takes longer,
 * and the next pass tries again).
 */
const DELETION_WAITS_MS = [50, 100, 200, 400, 800, 1600, 3200, 6400];

/** OpenBao refuses to delete a namespace that still lists a child, even one being deleted. */
function childrenLeft(error: unknown): boolean {
  return error instanceof VaultCallError && /containing child namespaces/.test(error.vaultMessage);
}

/** A namespace that cannot be made or found: permanent until someone changes something. */
export class NamespaceError extends CourierError {
  override name = "NamespaceError";
  constructor(
    message: string,
    /** The server has namespaces, just not this one (and creating was not allowed). */
    readonly missing: boolean,
    options?: { cause?: unknown },
  ) {
    super("VAULT_ERROR", message, options);
  }
}

/**
 * A request into a namespace the server lacks: OpenBao answers 404 "namespace not found".
 */
export function namespaceNotFound(error: unknown): boolean {
  return (
    error instanceof VaultCallError && error.status === 404 && /namespace not found/i.test(error.vaultMessage)
  );
}

/** levelsOf("team1/sub/") → ["team1/", "team1/sub/"] */
export function levelsOf(path: string): string[] {
  const segments = path.split("/").filter((s) => s !== "");
  return segments.map((_, i) => `${segments.slice(0, i + 1).join("/")}/`);
}

/** splitNamespace("team1/sub/") → {parent: "team1/", name: "sub"} */
export function splitNamespace(path: string): { parent: string; name: string } {
  const levels = levelsOf(path);
  const name = (levels.at(-1) ?? "").slice((levels.at(-2) ?? "").length, -1);
  return { parent: levels.at(-2) ?? "", name };
}

/** Someone else is making this namespace, or its parent: worth a look again in a moment. */
function settling(error: unknown): boolean {
  return error instanceof VaultCallError && (error.reason === "conflict" || error.reason === "upgrading");
}

/** No sys/namespaces route at all: a 404 that is not "no such namespace", or 405. */
function noNamespaceSupport(error: unknown): error is VaultCallError {
  if (!(error instanceof VaultCallError) || namespaceNotFound(error)) return false;
  return error.reason === "no-route" || error.reason === "unsupported";
}

function unsupported(address: string, path: string, cause: unknown): NamespaceError {
  return new NamespaceError(
    `${address} has no namespaces (Vault Enterprise or OpenBao 2.3 and later have them): ` +
      `cannot create namespace ${path} there`,
    false,
    { cause },
  );
}

export function namespaceMissing(address: string, path: string): NamespaceError {
  return new NamespaceError(
    `${address}: namespace ${path} does not exist; create it there or turn on sync.create_mounts`,
    true,
  );
}

function metadataFrom(value: unknown): CustomMetadata {
  const metadata: CustomMetadata = {};
  if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) metadata[k] = String(v);
  }
  return metadata;
}
