// What a conformance test talks to: a real Vault/OpenBao when VAULT_CONFORMANCE_ADDR and
// VAULT_CONFORMANCE_TOKEN are set, else an in-process Vault double. VAULT_CONFORMANCE_FLAVOR
// (vault | openbao) names the kind of server; unset, sys/seal-status tells. A real server cannot be
// reset, so tests create their own uniquely named mounts, keys and policies and remove them.
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";
import { type Flavor, flavorFromEnv, flavorFromSealStatus } from "./flavors.ts";
import { type RawResponse, rawRequest } from "./raw-http.ts";

export interface RequestOptions {
  /** An object is sent as JSON; a string or bytes as they are. */
  body?: unknown;
  /** Defaults to the root token; null sends no token. */
  token?: string | null;
  /** X-Vault-Namespace. */
  ns?: string;
  headers?: Record<string, string>;
}

export interface Target {
  address: string;
  token: string;
  /** True against a real server: assert only what holds for any Vault, never double internals. */
  real: boolean;
  /** "vault" (the double, or HashiCorp Vault) or "openbao": see flavors.ts for where they differ. */
  flavor: Flavor;
  /** The in-process double, when that is the target. */
  double: VaultDouble | undefined;
  /** "kv" → "kv-3f9a1c2e-1": unique per run, so a real server's leftovers never collide. */
  unique(base: string): string;
  req(method: string, path: string, opts?: RequestOptions): Promise<RawResponse>;
  /** Enables a secrets engine at a fresh path (removed on stop) and returns that path, without slash. */
  mount(type: string, extra?: Record<string, unknown>): Promise<string>;
  /** Runs `fn` when the target stops, last registered first. */
  cleanup(fn: () => Promise<unknown>): void;
  stop(): Promise<void>;
}

/** True when the suite runs against a real server rather than the double. */
export const REAL_SERVER = Boolean(process.env.VAULT_CONFORMANCE_ADDR && process.env.VAULT_CONFORMANCE_TOKEN);
/** The double has namespaces; a real server says it has them with VAULT_CONFORMANCE_NAMESPACES=1. */
export const HAS_NAMESPACES = !REAL_SERVER || process.env.VAULT_CONFORMANCE_NAMESPACES === "1";

const RUN = crypto.randomUUID().slice(0, 8);
let counter = 0;

export async function startTarget(): Promise<Target> {
  const envAddr = process.env.VAULT_CONFORMANCE_ADDR;
  const envToken = process.env.VAULT_CONFORMANCE_TOKEN;
  const real = REAL_SERVER;
  const double = real ? undefined : await startVaultDouble({ rootToken: "root" });
  const address = real ? envAddr!.replace(/\/+$/, "") : double!.address;
  const token = real ? envToken! : double!.rootToken;
  const cleanups: (() => Promise<unknown>)[] = [];

  const req = (method: string, path: string, opts: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const tok = opts.token === undefined ? token : opts.token;
    if (tok !== null) headers["X-Vault-Token"] = tok;
    if (opts.ns) headers["X-Vault-Namespace"] = opts.ns;
    let body: string | Uint8Array | undefined;
    if (typeof opts.body === "string" || opts.body instanceof Uint8Array) body = opts.body;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["Content-Type"] = "application/json";
    }
    return rawRequest(address, { method, path: `/v1/${path.replace(/^\/+/, "")}`, headers, body });
  };

  const flavor = real
    ? (flavorFromEnv(process.env.VAULT_CONFORMANCE_FLAVOR) ??
      flavorFromSealStatus((await req("GET", "sys/seal-status", { token: null })).json))
    : "vault";

  const target: Target = {
    address,
    token,
    real,
    flavor,
    double,
    unique: (base) => `${base}-${RUN}-${++counter}`,
    req,
    async mount(type, extra = {}) {
      const path = target.unique(type.replace(/[^a-z0-9]/g, ""));
      const resp = await req("POST", `sys/mounts/${path}`, { body: { type, ...extra } });
      if (resp.status !== 204) throw new Error(`enabling ${type} at ${path}: ${resp.status} ${resp.text}`);
      cleanups.push(() => req("DELETE", `sys/mounts/${path}`));
      return path;
    },
    cleanup: (fn) => {
      cleanups.push(fn);
    },
    async stop() {
      for (const fn of cleanups.reverse()) await fn().catch(() => {});
      await double?.stop();
    },
  };
  return target;
}

/** The keys of a successful answer's body, for shape checks that hold on any Vault version. */
export const WRAPPED_KEYS = [
  "auth",
  "data",
  "lease_duration",
  "lease_id",
  "mount_type",
  "renewable",
  "request_id",
  "warnings",
  "wrap_info",
];
