// One Vault as Courier sees it: its address, a token source, and the APIs Courier uses, all over
// one node-vault instance with one keep-alive connection pool. Built from plain settings, so a
// Worker can build its own from what the main thread sends it (with the main thread's token
// relayed to it as its token source, never credentials of its own).

import type { AuthSettings, TokenInfo } from "./auth.ts";
import { lookupSelf, type ManagedTokenOptions, type TokenSource, tokenSourceFor } from "./auth.ts";
import { type TlsSettings, VaultCaller, VaultHttp, type VaultReply } from "./http.ts";
import { Kv1Api, Kv2Api } from "./kv.ts";
import { MountsApi } from "./mounts.ts";
import { NamespacesApi } from "./namespaces.ts";
import { PoliciesApi } from "./policies.ts";

/** Everything needed to talk to one Vault. */
export interface VaultSettings extends VaultConnection {
  auth: AuthSettings;
}

/** A Vault without credentials: what a sync worker gets, since its tokens come from the main thread. */
export interface VaultConnection {
  /** "http://127.0.0.1:8200"; a trailing slash is ignored. */
  address: string;
  tls?: TlsSettings;
  /** Per-request timeout; a request that takes longer is a transient failure. */
  timeoutMs?: number;
  /** How long a mount-table answer is trusted before it is read again. */
  mountCacheMs?: number;
}

/** A Vault's connection, and its auth settings unless a token source is given in the options. */
export type ClientSettings = VaultConnection & { auth?: AuthSettings };

export interface ClientOptions extends ManagedTokenOptions {
  /** Replaces the token source the auth settings call for. */
  tokens?: TokenSource;
}

export class VaultClient {
  readonly http: VaultHttp;
  readonly tokens: TokenSource;
  readonly caller: VaultCaller;
  readonly mounts: MountsApi;
  readonly namespaces: NamespacesApi;
  readonly kv1: Kv1Api;
  readonly kv2: Kv2Api;
  readonly policies: PoliciesApi;

  constructor(settings: ClientSettings, options: ClientOptions = {}) {
    this.http = new VaultHttp(settings.address, { tls: settings.tls, timeoutMs: settings.timeoutMs });
    this.tokens = options.tokens ?? tokenSourceFor(this.http, authOf(settings), options);
    this.caller = new VaultCaller(this.http, this.tokens);
    this.mounts = new MountsApi(this.caller, settings.mountCacheMs, options.now);
    this.namespaces = new NamespacesApi(this.caller, this.http.address);
    this.kv1 = new Kv1Api(this.caller);
    this.kv2 = new Kv2Api(this.caller);
    this.policies = new PoliciesApi(this.caller);
  }

  /** "http://127.0.0.1:8200": how outcomes and messages name this Vault. */
  get address(): string {
    return this.http.address;
  }

  /** What Vault says about the token in use (lookup-self). */
  async tokenInfo(): Promise<TokenInfo> {
    return lookupSelf(this.http, await this.tokens.token());
  }

  /** GET sys/health, status kept: 200 active, 429 standby, 503 sealed, 501 not initialised. */
  health(): Promise<VaultReply> {
    return this.http.send({ method: "GET", path: "sys/health" }, "");
  }

  /** Closes idle connections. */
  close(): void {
    this.http.close();
  }
}

export function createVaultClient(settings: ClientSettings, options?: ClientOptions): VaultClient {
  return new VaultClient(settings, options);
}

function authOf(settings: ClientSettings): AuthSettings {
  if (!settings.auth)
    throw new Error(`a client for ${settings.address} needs auth settings or a token source`);
  return settings.auth;
}
