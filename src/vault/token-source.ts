// Where a Vault call gets its token. A static token is handed out as is; a managed token is looked
// up once, renewed before it expires, and (for AppRole) replaced by a fresh login when renewal is
// no longer possible or Vault stops accepting it.

import { VaultCallError } from "./call-error.ts";
import { appRoleLogin, lookupSelf, renewSelf } from "./token-api.ts";
import type { AuthSettings, TokenLease } from "./types.ts";
import type { VaultHttp } from "./vault-http.ts";

export interface TokenSource {
  /** The token to send now; renews or logs in first when that is due. */
  token(): Promise<string>;
  /** After a 403 with `denied`: true when a different token is now in hand, worth one more try. */
  afterDenied(denied: string): Promise<boolean>;
}

export function staticToken(token: string): TokenSource {
  return { token: async () => token, afterDenied: async () => false };
}

export interface ManagedTokenOptions {
  /** Renew when this share of the lease has passed (Vault Agent uses about two thirds). */
  renewAt?: number;
  now?: () => number;
}

interface Held {
  lease: TokenLease;
  /** Unix ms when renewal or re-login is due; Infinity when never. */
  dueAt: number;
}

export class ManagedToken implements TokenSource {
  private held: Held | null = null;
  private pending: Promise<Held> | null = null;
  private readonly renewAt: number;
  private readonly now: () => number;

  constructor(
    private readonly http: VaultHttp,
    private readonly auth: AuthSettings,
    options: ManagedTokenOptions = {},
  ) {
    this.renewAt = options.renewAt ?? 2 / 3;
    this.now = options.now ?? Date.now;
  }

  async token(): Promise<string> {
    const held = this.held;
    if (held && this.now() < held.dueAt) return held.lease.token;
    return (await this.once(() => (held ? this.refresh(held) : this.start()))).lease.token;
  }

  async afterDenied(denied: string): Promise<boolean> {
    if (this.auth.method !== "approle") return false;
    const held = await this.once(async () => {
      if (this.held && this.held.lease.token !== denied) return this.held; // another call logged in
      // A 403 is also what a token that is still valid gets for a path its policies do not
      // grant; only a token Vault no longer knows is worth a new login.
      if (this.held && (await this.stillValid(denied))) return this.held;
      return this.hold(await this.login());
    });
    return held.lease.token !== denied;
  }

  /** Runs one acquisition at a time; concurrent callers share it. */
  private async once(acquire: () => Promise<Held>): Promise<Held> {
    if (!this.pending) {
      this.pending = acquire().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private async start(): Promise<Held> {
    if (this.auth.method === "approle") return this.hold(await this.login());
    const token = this.auth.token;
    try {
      const info = await lookupSelf(this.http, token);
      return this.hold({ token, leaseDuration: info.ttl, renewable: info.renewable });
    } catch (error) {
      // A token without lookup-self rights still works for what its policies allow; it is used
      // as given, and the calls themselves report what it may not do.
      if (error instanceof VaultCallError && error.reason === "permission-denied") {
        return this.hold({ token, leaseDuration: 0, renewable: false });
      }
      throw error;
    }
  }

  private async refresh(held: Held): Promise<Held> {
    if (held.lease.renewable) {
      try {
        const lease = await renewSelf(this.http, held.lease.token);
        // A lease shorter than the last one is capped by the token's max TTL: renewal is running
        // out. AppRole logs in afresh instead; a plain token takes what it gets.
        const shrinking = lease.leaseDuration < held.lease.leaseDuration;
        if (lease.leaseDuration > 0 && !(shrinking && this.auth.method === "approle"))
          return this.hold(lease);
      } catch (error) {
        if (this.auth.method !== "approle") throw error;
      }
    }
    if (this.auth.method === "approle") return this.hold(await this.login());
    // A plain token that cannot be renewed is used until Vault refuses it.
    return this.hold({ ...held.lease, renewable: false }, Number.POSITIVE_INFINITY);
  }

  private async stillValid(token: string): Promise<boolean> {
    try {
      await lookupSelf(this.http, token);
      return true;
    } catch (error) {
      if (error instanceof VaultCallError && error.reason === "permission-denied") return false;
      throw error;
    }
  }

  private login(): Promise<TokenLease> {
    if (this.auth.method !== "approle") throw new Error("login needs AppRole credentials");
    return appRoleLogin(this.http, this.auth);
  }

  private hold(lease: TokenLease, dueAt = this.dueAfter(lease)): Held {
    this.held = { lease, dueAt };
    return this.held;
  }

  /** dueAfter({leaseDuration: 30}) → now + 20 s; a lease of 0 never expires. */
  private dueAfter(lease: TokenLease): number {
    if (lease.leaseDuration <= 0) return Number.POSITIVE_INFINITY;
    return this.now() + lease.leaseDuration * 1000 * this.renewAt;
  }
}

/** The token source a Vault's auth settings call for. */
export function tokenSourceFor(http: VaultHttp, auth: AuthSettings, options?: ManagedTokenOptions) {
  return new ManagedToken(http, auth, options);
}
