// How Courier proves who it is to a Vault, and where each call gets its token. A static token is handed out as is; a managed token is looked
// up once, renewed before it expires, and (for AppRole) replaced by a fresh login when renewal is
// no longer possible or Vault stops accepting it. The agent keeps one managed token per Vault on
// its main thread and relays it to the sync workers, so a Vault sees one login, not one per thread.
//
// Every acquisition (login, renewal, lookup) runs one at a time, and a failed one backs off:
// until the wait is over, callers get the token still in hand (while it lives) or the last
// failure again, without a call to Vault. Otherwise each sync would try its own login and a
// secret_id that is used up would turn into a tight loop of refused logins — which, after five,
// also locks the role_id out for 15 minutes. A refused secret_id is never sent twice.

import { readFileSync } from "node:fs";
import { type BackoffOptions, backoffDelay } from "../backoff.ts";
import { CourierError, messageOf } from "../errors.ts";
import { VaultCallError } from "./errors.ts";
import type { VaultHttp, VaultRequest } from "./http.ts";

/** How Courier proves who it is to one Vault. */
export type AuthSettings =
  | { method: "token"; token: string }
  | {
      method: "approle";
      roleId: string;
      secretId: string;
      /** Where the secret_id came from: read again at each login, so a new one needs no restart. */
      secretIdFile?: string;
      /** Where AppRole is enabled, without "auth/": "approle" unless told otherwise. */
      mount?: string;
      /** Namespace the role lives in ("" for root). */
      namespace?: string;
    };

/** auth/token/lookup-self, reduced. */
export interface TokenInfo {
  /** Seconds left; 0 for a token that never expires. */
  ttl: number;
  renewable: boolean;
  policies: string[];
}

/** A login or renewal answer: the token and how long it lives. */
export interface TokenLease {
  token: string;
  /** Seconds; 0 = never expires. */
  leaseDuration: number;
  renewable: boolean;
}

export interface TokenSource {
  /** The token to send now; renews or logs in first when that is due. */
  token(): Promise<string>;
  /** After a 403 with `denied`: true when a different token is now in hand, worth one more try. */
  afterDenied(denied: string): Promise<boolean>;
  /** Calls `listener` with each new token (not with a renewal of the same one); returns "stop". */
  onChange?(listener: (token: string) => void): () => void;
}

export function staticToken(token: string): TokenSource {
  return { token: async () => token, afterDenied: async () => false };
}

/** A login that Vault refused or that could not be made; the message says what to do. */
export class LoginFailed extends CourierError {
  override name = "LoginFailed";
  constructor(
    /** What happened, in Courier's words: "AppRole login refused: …". */
    readonly summary: string,
    /** What went wrong on the way, in Vault's words when it answered. */
    readonly detail: string,
    /** What the operator should do ("" when Courier cannot tell). */
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super("VAULT_LOGIN_FAILED", `${summary}: ${detail}${hint ? `; ${hint}` : ""}`, options);
  }
}

/** What a token source tells the log: a failed login or renewal, and the first success after. */
export type TokenEvent =
  | {
      kind: "failed";
      vault: string;
      action: "login" | "renewal";
      error: Error;
      /** Failures in a row, this one included. */
      failures: number;
      retryInMs: number;
      /** The same failure as the one before: already reported. */
      repeated: boolean;
    }
  | { kind: "recovered"; vault: string; action: "login" | "renewal"; failures: number };

export interface ManagedTokenOptions {
  /** Renew when this share of the lease has passed (Vault Agent uses about two thirds). */
  renewAt?: number;
  now?: () => number;
  /** Waits between failed logins or renewals. */
  backoff?: BackoffOptions;
  /** A number in [0, 1) for the backoff's jitter. */
  random?: () => number;
  onEvent?: (event: TokenEvent) => void;
}

/** Half of each wait is random, so many Couriers refused at once do not come back together. */
export const DEFAULT_LOGIN_BACKOFF: BackoffOptions = {
  initialMs: 500,
  maxMs: 60_000,
  factor: 2,
  jitter: 0.5,
};

/** setTimeout's longest delay (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Held {
  lease: TokenLease;
  /** Unix ms when renewal or re-login is due; Infinity when never. */
  dueAt: number;
  /** Unix ms when Vault stops accepting the token; Infinity when never. */
  expiresAt: number;
}

interface Failure {
  error: Error;
  action: "login" | "renewal";
  count: number;
  /** No new attempt before this (Unix ms). */
  retryAt: number;
}

export class ManagedToken implements TokenSource {
  private held: Held | null = null;
  private pending: Promise<Held> | null = null;
  private failure: Failure | null = null;
  /** The last secret_id Vault refused, and how: it is not sent again. */
  private refused: { secretId: string; error: Error } | null = null;
  private readonly listeners = new Set<(token: string) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private fresh = false;
  private readonly renewAt: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;

  constructor(
    private readonly http: VaultHttp,
    private readonly auth: AuthSettings,
    private readonly options: ManagedTokenOptions = {},
  ) {
    this.renewAt = options.renewAt ?? 2 / 3;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_LOGIN_BACKOFF;
  }

  async token(): Promise<string> {
    const held = this.held;
    if (held && this.now() < held.dueAt) return held.lease.token;
    const waiting = this.waiting();
    if (waiting) return waiting.lease.token;
    return (await this.once(() => (held ? this.refresh(held) : this.start()))).lease.token;
  }

  async afterDenied(denied: string): Promise<boolean> {
    if (this.auth.method !== "approle") return false;
    if (this.held && this.held.lease.token !== denied) return true; // logged in since
    const expired = this.held !== null && this.now() >= this.held.expiresAt;
    // Backing off: a token past its lease cannot be helped; one within it is still good, and the
    // 403 was for a path its policies do not grant (or it was revoked: the next login fixes that).
    if (this.failure && this.now() < this.failure.retryAt) {
      if (expired || !this.held) throw this.failure.error;
      return false;
    }
    const held = await this.once(async () => {
      if (this.held && this.held.lease.token !== denied) return this.held;
      // A 403 is also what a token that is still valid gets for a path its policies do not
      // grant; only a token Vault no longer knows is worth a new login.
      if (this.held && !expired && (await this.stillValid(denied))) return this.held;
      return this.hold(await this.login());
    });
    return held.lease.token !== denied;
  }

  onChange(listener: (token: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Renews (or logs in again) when that is due even while no call asks for the token: the
   * workers hold a copy, so the main thread keeps it alive. Also makes the first login now.
   * Returns "stop".
   */
  keepFresh(): () => void {
    this.fresh = true;
    this.schedule();
    return () => {
      this.fresh = false;
      clearTimeout(this.timer);
    };
  }

  /** While backing off after a failure: the token still in hand, or the failure again. */
  private waiting(): Held | null {
    const failure = this.failure;
    if (!failure || this.now() >= failure.retryAt) return null;
    const held = this.held;
    // A plain token is Vault's to refuse; an AppRole token past its lease is known to be dead.
    if (held && (this.auth.method !== "approle" || this.now() < held.expiresAt)) return held;
    throw failure.error;
  }

  /** Runs one acquisition at a time; concurrent callers share it. Records success and failure. */
  private async once(acquire: () => Promise<Held>): Promise<Held> {
    if (!this.pending) {
      this.pending = this.attempt(acquire).finally(() => {
        this.pending = null;
        this.schedule();
      });
    }
    return this.pending;
  }

  private async attempt(acquire: () => Promise<Held>): Promise<Held> {
    const action = this.auth.method === "approle" ? "login" : "renewal";
    const before = this.held;
    try {
      const held = await acquire();
      // Only a new login or lease ends a failure; a 403 judged a path denial changes nothing.
      if (this.failure && held !== before) {
        const failures = this.failure.count;
        this.failure = null;
        this.options.onEvent?.({ kind: "recovered", vault: this.http.address, action, failures });
      }
      return held;
    } catch (thrown) {
      const error = this.explain(thrown);
      const count = (this.failure?.count ?? 0) + 1;
      const retryInMs = Math.round(backoffDelay(this.backoff, count, this.random()));
      const repeated = this.failure?.error.message === error.message;
      this.failure = { error, action, count, retryAt: this.now() + retryInMs };
      this.options.onEvent?.({
        kind: "failed",
        vault: this.http.address,
        action,
        error,
        failures: count,
        retryInMs,
        repeated,
      });
      const held = this.held;
      // A renewal or re-login that failed leaves the token in hand usable until its lease ends.
      if (held && (this.auth.method !== "approle" || this.now() < held.expiresAt)) return held;
      throw error;
    }
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
        // Usable while the login runs (and after it, should it fail), but not to be renewed again.
        if (lease.leaseDuration > 0) this.hold({ ...lease, renewable: false }, this.now());
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

  private async login(): Promise<TokenLease> {
    if (this.auth.method !== "approle") throw new Error("login needs AppRole credentials");
    const { secretIdFile } = this.auth;
    // The file is read at each login, so a new secret_id written there is used without a restart.
    const secretId = secretIdFile ? readSecretId(secretIdFile) : this.auth.secretId;
    // A secret_id Vault refused is refused again, and every refusal counts towards locking the
    // role_id out (OpenBao and Vault lock it after 5 failed logins, for 15 minutes by default,
    // and then refuse even a good secret_id): wait for a new one instead of asking again.
    if (this.refused?.secretId === secretId) throw this.refused.error;
    try {
      const lease = await appRoleLogin(this.http, { ...this.auth, secretId });
      this.refused = null;
      return lease;
    } catch (error) {
      const explained = this.explain(error);
      if (error instanceof VaultCallError && error.reason === "bad-request") {
        this.refused = { secretId, error: explained };
      }
      throw explained;
    }
  }

  private hold(lease: TokenLease, dueAt = this.dueAfter(lease)): Held {
    const before = this.held?.lease.token;
    const expiresAt =
      lease.leaseDuration > 0 ? this.now() + lease.leaseDuration * 1000 : Number.POSITIVE_INFINITY;
    this.held = { lease, dueAt, expiresAt };
    if (lease.token !== before) for (const listener of this.listeners) listener(lease.token);
    return this.held;
  }

  /** dueAfter({leaseDuration: 30}) → now + 20 s; a lease of 0 never expires. */
  private dueAfter(lease: TokenLease): number {
    if (lease.leaseDuration <= 0) return Number.POSITIVE_INFINITY;
    return this.now() + lease.leaseDuration * 1000 * this.renewAt;
  }

  /** A failed login or renewal as the operator should read it. */
  private explain(error: unknown): Error {
    if (this.auth.method !== "approle" || error instanceof LoginFailed) return error as Error;
    const mount = (this.auth.mount ?? "approle").replace(/^\/+|\/+$/g, "");
    if (!(error instanceof VaultCallError) || error.status === undefined) {
      const detail = messageOf(error);
      return new LoginFailed("AppRole login failed", detail, "", { cause: error });
    }
    const detail = `${error.call.vault}: POST ${error.call.path} answered ${error.status} ${error.vaultMessage}`;
    if (error.reason === "permission-denied") {
      // What OpenBao and Vault answer while the role_id is locked out ("user lockout"), whatever
      // the secret_id.
      return new LoginFailed(
        "AppRole login denied: the role_id is locked out after repeated failed logins",
        detail,
        `unlock it (POST sys/locked-users/<accessor of auth/${mount}/>/unlock/<role_id>) or wait for ` +
          "the lockout to end (15 minutes by default); Courier keeps trying, spaced out",
        { cause: error },
      );
    }
    if (error.reason !== "bad-request")
      return new LoginFailed("AppRole login failed", detail, "", { cause: error });
    // Vault and OpenBao answer an unknown role_id and a secret_id that is used up, expired or
    // wrong alike ("invalid role or secret ID"); a used-up secret_id is the usual one.
    const file = this.auth.secretIdFile;
    const hint =
      `issue a new secret_id (POST auth/${mount}/role/<role>/secret-id) and ` +
      (file
        ? `write it to ${file}: Courier checks that file at each login attempt, no restart needed`
        : "restart Courier with it");
    return new LoginFailed(
      "AppRole login refused: the secret_id is used up, expired or wrong (or the role_id is)",
      detail,
      hint,
      { cause: error },
    );
  }

  /** With keepFresh on: wakes when renewal, re-login or the next attempt after a failure is due. */
  private schedule(): void {
    if (!this.fresh) return;
    clearTimeout(this.timer);
    const at = this.failure ? this.failure.retryAt : (this.held?.dueAt ?? this.now());
    if (!Number.isFinite(at)) return;
    // A timer may fire a little early, when nothing is due yet: it then only sets the next one.
    // Failures are reported through onEvent.
    const wake = () => this.token().finally(() => this.schedule());
    this.timer = setTimeout(
      () => wake().catch(() => {}),
      Math.min(MAX_TIMER_MS, Math.max(0, at - this.now()) + 1),
    );
    this.timer.unref?.();
  }
}

/** The token source a Vault's auth settings call for. */
export function tokenSourceFor(http: VaultHttp, auth: AuthSettings, options?: ManagedTokenOptions) {
  return new ManagedToken(http, auth, options);
}

function readSecretId(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new LoginFailed("cannot read the AppRole secret_id file", `${path} (${reason})`, "", {
      cause: error,
    });
  }
}

// The three auth calls a managed token makes. Each takes its token explicitly: they run before a
// token source has a token, or to replace the one it has.

/** GET auth/token/lookup-self → what the token is allowed and how long it lives. */
export async function lookupSelf(http: VaultHttp, token: string, namespace = ""): Promise<TokenInfo> {
  const request: VaultRequest = { method: "GET", path: "auth/token/lookup-self", namespace };
  const reply = await http.send(request, token);
  if (reply.status !== 200) throw http.failure(request, reply);
  const data = (reply.body as { data?: Record<string, unknown> } | undefined)?.data;
  if (!data) throw http.malformed(request, reply, "lookup-self answered without data");
  return {
    ttl: Number(data.ttl ?? 0),
    renewable: data.renewable === true,
    policies: Array.isArray(data.policies) ? data.policies.map(String) : [],
  };
}

/** POST auth/token/renew-self → the same token with a fresh lease. */
export async function renewSelf(http: VaultHttp, token: string, namespace = ""): Promise<TokenLease> {
  const request: VaultRequest = {
    method: "POST",
    path: "auth/token/renew-self",
    namespace,
    body: {},
    capabilities: ["update"],
  };
  const reply = await http.send(request, token);
  if (reply.status !== 200) throw http.failure(request, reply);
  return leaseOf(http, request, reply.body, token);
}

/** POST auth/<mount>/login with role_id and secret_id → a new token. */
export async function appRoleLogin(
  http: VaultHttp,
  credentials: { roleId: string; secretId: string; mount?: string; namespace?: string },
): Promise<TokenLease> {
  const request: VaultRequest = {
    method: "POST",
    path: `auth/${(credentials.mount ?? "approle").replace(/^\/+|\/+$/g, "")}/login`,
    namespace: credentials.namespace ?? "",
    body: { role_id: credentials.roleId, secret_id: credentials.secretId },
  };
  const reply = await http.send(request, "");
  if (reply.status !== 200) throw http.failure(request, reply);
  return leaseOf(http, request, reply.body, undefined);
}

function leaseOf(http: VaultHttp, request: VaultRequest, body: unknown, fallbackToken: string | undefined) {
  const auth = (body as { auth?: Record<string, unknown> } | undefined)?.auth;
  const token = typeof auth?.client_token === "string" ? auth.client_token : fallbackToken;
  if (!auth || !token) throw http.malformed(request, { status: 200, body: undefined }, "answer has no auth");
  return {
    token,
    leaseDuration: Number(auth.lease_duration ?? 0),
    renewable: auth.renewable === true,
  };
}
