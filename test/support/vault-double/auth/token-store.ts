// The token store: creation with Vault's rules, TTL and expiry measured on the double's clock
// (so tests can move time), renewal, num_uses with Vault's deferred revocation, parent/child
// revocation, accessors.
import { weakBool } from "../go-format.ts";
import type { Namespace, TokenEntry } from "../types.ts";
import { newAccessor, newTokenId } from "./token-ids.ts";
import { bad, blank, creationTtl, displayName, metaOf, tokenType } from "./token-params.ts";
import { policyList, resolvePolicies } from "./token-policies.ts";
import { calculateTtl } from "./token-ttl.ts";

/** What the store keeps beside the entry Vault would persist: its lease and its family. */
interface Held {
  entry: TokenEntry;
  parent: string | undefined;
  children: Set<string>;
  /** The TTL last granted (creation or renewal), seconds; Vault's le.Auth.TTL. */
  leaseTtl: number;
  /** Unix ms of the last renewal; 0 = never. */
  lastRenewal: number;
  /** Whether Vault registered a lease (every token made through create; not a store-made root). */
  hasLease: boolean;
  /**
   * The max TTL its renewals are capped by, seconds (0 = the system's 32 days): the mount's max,
   * or a role's token_max_ttl, the way the backend that issued it answers a renewal.
   */
  maxTtl: number;
}

/** Vault's tokenRevocationPending: the use count of a token on its last use, revoked once it ends. */
const REVOCATION_PENDING = -1;

export interface CreateOptions {
  /** The caller holds root or sudo on the create path (custom id, orphans, periodic, any policies). */
  sudo?: boolean;
  /** auth/token/create-orphan. */
  orphan?: boolean;
  /** Mount TTL settings of auth/token/ (0 = system defaults). */
  mountMaxTtl?: number;
  mountDefaultTtl?: number;
  /** The path the token is created under ("auth/token/create", "auth/approle/login"). */
  path?: string;
  /** A login: these exact policies (no inheritance from the parent), and this display name. */
  fixedPolicies?: string[];
  displayName?: string;
}

export class TokenStore {
  readonly #tokens = new Map<string, Held>();
  readonly #accessors = new Map<string, string>();
  readonly #now: () => number;

  /** Starts with the dev root token: made like `vault server -dev -dev-root-token-id` makes it. */
  constructor(opts: { rootTokenId: string; now: () => number }) {
    this.#now = opts.now;
    const root: TokenEntry = {
      ...blank(opts.rootTokenId, { id: "root", path: "" }, this.#now()),
      policies: ["root"],
      path: "auth/token/create",
    };
    this.#hold(root, undefined, { leaseTtl: 0, hasLease: true, maxTtl: 0 });
  }

  /**
   * A live token by id; undefined when unknown, revoked, expired, or on its last use (Vault's
   * Lookup treats a token awaiting revocation as gone).
   */
  lookup(id: string): TokenEntry | undefined {
    const entry = this.#live(id)?.entry;
    return entry && entry.numUses !== REVOCATION_PENDING ? entry : undefined;
  }

  /** lookup() that also finds a token on its last use, as auth/token/lookup(-self) does (num_uses -1). */
  lookupTainted(id: string): TokenEntry | undefined {
    return this.#live(id)?.entry;
  }

  byAccessor(accessor: string): TokenEntry | undefined {
    const id = this.#accessors.get(accessor);
    return id === undefined ? undefined : this.lookup(id);
  }

  /** Vault's auth/token/create semantics. Throws DoubleHttpError(400, …) on bad input. */
  create(
    parent: TokenEntry,
    params: Record<string, unknown>,
    ns: Namespace,
    opts: CreateOptions = {},
  ): TokenEntry {
    const sudo = opts.sudo ?? parent.policies.includes("root");
    if (parent.type === "batch") throw bad("batch tokens cannot create more tokens");
    if (parent.numUses > 0) throw bad("restricted use token cannot generate child tokens");
    const type = tokenType(params.type);
    const numUses = Number(params.num_uses ?? 0);
    if (!Number.isInteger(numUses) || numUses < 0) throw bad("number of uses cannot be negative");
    const entry = blank("", ns, this.#now());
    entry.type = type;
    entry.numUses = numUses;
    entry.path = opts.path ?? "auth/token/create";
    entry.meta = metaOf(params.meta);
    entry.displayName = opts.displayName ?? displayName(params.display_name);
    if (typeof params.id === "string" && params.id !== "") {
      if (!sudo) throw bad("root or sudo privileges required to specify token id");
      if (this.#tokens.has(params.id)) throw bad("cannot create a token with a duplicate ID");
      entry.id = params.id;
    }
    entry.policies =
      opts.fixedPolicies ??
      resolvePolicies(policyList(params.policies), parent.policies, {
        sudo,
        noDefaultPolicy: weakBool(params.no_default_policy) === true,
      });
    const noParent = weakBool(params.no_parent) === true;
    const orphan = opts.orphan === true || noParent;
    if (noParent && !sudo) throw bad("root or sudo privileges required to create orphan token");
    entry.orphan = orphan;
    if (!orphan) entry.entityId = parent.entityId;
    const ttls = creationTtl(entry, params, sudo, opts);
    let renewable = weakBool(params.renewable) !== false && type === "service";
    if (entry.ttl === 0) {
      if (parent.ttl !== 0) throw bad("expiring root tokens cannot create non-expiring root tokens");
      renewable = false;
    }
    entry.renewable = renewable;
    entry.expiresAt = entry.ttl > 0 ? entry.issuedAt + entry.ttl * 1000 : 0;
    if (entry.id === "") entry.id = newTokenId(type, ns.id);
    entry.accessor = type === "batch" ? "" : newAccessor(ns.id);
    this.#hold(entry, orphan ? undefined : parent.id, {
      leaseTtl: ttls,
      hasLease: type === "service",
      maxTtl: opts.mountMaxTtl ?? 0,
    });
    return entry;
  }

  /** Renews like Vault's expiration manager; throws DoubleHttpError(400, …) when it cannot. */
  renew(id: string, increment?: number): TokenEntry {
    return this.renewDetailed(id, increment ?? 0).entry;
  }

  /** renew(), also returning the lease TTL granted and any capping warnings. */
  renewDetailed(id: string, increment: number): { entry: TokenEntry; ttl: number; warnings: string[] } {
    const held = this.#live(id);
    if (!held || held.entry.numUses === REVOCATION_PENDING) throw bad("token not found");
    const e = held.entry;
    if (e.type === "batch") throw bad("batch tokens cannot be renewed");
    if (!held.hasLease || e.expiresAt === 0 || !e.renewable) throw bad("lease is not renewable");
    const nowS = Math.floor(this.#now() / 1000);
    let result: { ttl: number; warnings: string[] };
    try {
      result = calculateTtl({
        increment,
        backendTtl: held.leaseTtl,
        period: e.period,
        explicitMaxTtl: e.explicitMaxTtl,
        mountMaxTtl: held.maxTtl,
        mountDefaultTtl: 0,
        start: Math.floor(e.issuedAt / 1000),
        now: nowS,
      });
    } catch (err) {
      throw bad((err as Error).message);
    }
    held.leaseTtl = result.ttl;
    held.lastRenewal = this.#now();
    // Vault's new expiry is time.Now() plus the TTL, sub-second part and all.
    e.expiresAt = held.lastRenewal + result.ttl * 1000;
    return { entry: e, ...result };
  }

  /** Every token id held, live or not yet noticed as expired. */
  ids(): string[] {
    return [...this.#tokens.keys()];
  }

  /** Revokes a token and every token it created. Unknown ids are ignored, as Vault does. */
  revoke(id: string): void {
    const held = this.#tokens.get(id);
    if (!held) return;
    for (const child of held.children) this.revoke(child);
    this.#forget(held);
  }

  /** Revokes only this token; its children become orphans (auth/token/revoke-orphan). */
  revokeOrphan(id: string): void {
    const held = this.#tokens.get(id);
    if (!held) return;
    for (const child of held.children) {
      const c = this.#tokens.get(child);
      if (!c) continue;
      c.parent = undefined;
      c.entry.orphan = true;
    }
    held.children.clear();
    this.#forget(held);
  }

  /**
   * Counts one use of a token, as Vault's UseToken does for every request it authenticates. The
   * last use marks the token pending revocation (num_uses -1): it still serves this request, but
   * lookup() no longer finds it, and settle() revokes it once the request is done. Undefined when
   * the token is not live or already on its last use.
   */
  use(id: string): TokenEntry | undefined {
    const e = this.lookup(id);
    if (!e || e.numUses === 0) return e;
    e.numUses = e.numUses === 1 ? REVOCATION_PENDING : e.numUses - 1;
    return e;
  }

  /** The end of a request: revokes the token if that was its last use (Vault's deferred revocation). */
  settle(id: string): void {
    if (this.#tokens.get(id)?.entry.numUses === REVOCATION_PENDING) this.revoke(id);
  }

  /** The lease view lookup answers with: issue time, last renewal, whether a lease exists. */
  lease(id: string): { hasLease: boolean; lastRenewal: number } | undefined {
    const held = this.#live(id);
    return held && { hasLease: held.hasLease, lastRenewal: held.lastRenewal };
  }

  #hold(
    entry: TokenEntry,
    parent: string | undefined,
    lease: Pick<Held, "leaseTtl" | "hasLease" | "maxTtl">,
  ): void {
    this.#tokens.set(entry.id, { entry, parent, children: new Set(), lastRenewal: 0, ...lease });
    if (entry.accessor !== "") this.#accessors.set(entry.accessor, entry.id);
    if (parent !== undefined) this.#tokens.get(parent)?.children.add(entry.id);
  }

  #live(id: string): Held | undefined {
    const held = this.#tokens.get(id);
    if (!held) return undefined;
    if (held.entry.expiresAt !== 0 && this.#now() >= held.entry.expiresAt) {
      this.revoke(id);
      return undefined;
    }
    return held;
  }

  #forget(held: Held): void {
    this.#tokens.delete(held.entry.id);
    this.#accessors.delete(held.entry.accessor);
    if (held.parent !== undefined) this.#tokens.get(held.parent)?.children.delete(held.entry.id);
  }
}
