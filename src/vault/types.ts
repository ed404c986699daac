// Plain data that describes one Vault and what Courier reads from it. Everything here can cross
// into a Bun Worker by postMessage: no functions, no class instances.

/** TLS settings for one Vault, as Vault's CLI takes them (PEM text, not file names). */
export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  /** false skips certificate verification: loud in the log, for test setups only. */
  rejectUnauthorized?: boolean;
  /** The name the certificate must carry when it differs from the address's host. */
  serverName?: string;
}

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

/** One secret engine as the mount table describes it. */
export interface MountInfo {
  /** With trailing slash: "secret/". */
  path: string;
  type: string;
  description: string;
  options: Record<string, string>;
  /** 1 or 2 for KV mounts (type "kv" or the old "generic"), null for any other engine. */
  kvVersion: 1 | 2 | null;
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
  settings: Kv2Settings;
  versions: Record<string, Kv2VersionInfo>;
}

/** GET <mount>/data/<path>: the four things the answer can mean. */
export type Kv2DataRead =
  | { state: "live"; version: number; data: Record<string, unknown> }
  | { state: "deleted"; version: number }
  | { state: "destroyed"; version: number }
  | { state: "absent" };

/** Where a KV secret lives. */
export interface KvRef {
  /** "" for the root namespace, "team-a/" for a child. */
  namespace: string;
  /** With trailing slash: "secret/". */
  mount: string;
  /** Inside the mount, no leading slash: "app/db". */
  path: string;
}

/** What a new mount is created with. */
export interface MountSpec {
  type: string;
  description?: string;
  options?: Record<string, string>;
}

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
