// Every setting Courier has. This schema is the config type, the --help text, the environment
// names, the reference table in the README and the checklist for the example config: add a
// setting here and all of them follow. Names match the original Go Courier where it had them.
import { availableParallelism } from "node:os";
import * as v from "valibot";
import { parseAuditAddress, parseCidr, parseHostPort, parseVaultUrl } from "./addresses.ts";
import {
  choice,
  duration,
  entries,
  flag,
  Invalid,
  integer,
  list,
  secret,
  section,
  size,
  text,
} from "./values.ts";

/** Vault's own variables, honoured for the source as the Vault CLI honours them. */
const SOURCE_ENV = {
  address: ["VAULT_ADDR"],
  token: ["VAULT_TOKEN"],
  namespace: ["VAULT_NAMESPACE"],
  ca_cert: ["VAULT_CACERT"],
  client_cert: ["VAULT_CLIENT_CERT"],
  client_key: ["VAULT_CLIENT_KEY"],
  server_name: ["VAULT_TLS_SERVER_NAME"],
  skip_verify: ["VAULT_SKIP_VERIFY"],
} as const;
type VaultEnv = Partial<Record<keyof typeof SOURCE_ENV, readonly string[]>>;

function tlsSettings(who: string, env: VaultEnv = {}) {
  return section({
    ca_cert: text(`PEM file of the CA that signed ${who}'s certificate (default: the system's CAs).`, "", {
      env: env.ca_cert,
    }),
    client_cert: text(`PEM client certificate presented to ${who} (with client_key).`, "", {
      env: env.client_cert,
    }),
    client_key: text(`PEM key of the client certificate for ${who}.`, "", { env: env.client_key }),
    server_name: text(`Name expected in ${who}'s certificate, when it differs from the address's host.`, "", {
      env: env.server_name,
    }),
    skip_verify: flag(`Do not verify ${who}'s certificate. Unsafe; logged loudly at start.`, false, {
      env: env.skip_verify,
    }),
  });
}

function approleSettings(who: string) {
  return section({
    mount: text(`Mount path of the AppRole auth method used to log in to ${who}.`, "approle"),
    role_id_file: text(
      `File holding the AppRole role_id for ${who}; with secret_id_file, used instead of a token.`,
    ),
    secret_id_file: text(`File holding the AppRole secret_id for ${who}; read at each login.`),
  });
}

const vaultUrl = (text: string) => parseVaultUrl(text);

/** pathMapping("secret=mirror") → "secret/=mirror/"; both sides are needed. */
function pathMapping(item: string): string | Invalid {
  const sides = item.split("=").map((side) => side.trim().replace(/^\/+/, ""));
  if (sides.length !== 2 || sides.some((side) => side === "")) {
    return new Invalid('must be FROM=TO, two paths ending in "/", e.g. secret/=mirror/');
  }
  return sides.map((side) => (side.endsWith("/") ? side : `${side}/`)).join("=");
}

/** How Courier reaches one Vault: the source, or one item of vault.destinations.list. */
function vaultConnection(who: string, address: string, env: VaultEnv = {}) {
  return {
    address: text(`Address of ${who}, as in VAULT_ADDR.`, address, { env: env.address, check: vaultUrl }),
    token: secret(`Token for ${who}. Prefer token_file: a flag shows in ps.`, { env: env.token }),
    token_file: text(
      `File holding the token for ${who}; read at start and trimmed. Warns when others can read it.`,
    ),
    namespace: text(
      `Namespace of ${who} that Courier works in (Vault Enterprise, OpenBao); "" is the root.`,
      "",
      {
        env: env.namespace,
      },
    ),
    tls: tlsSettings(who, env),
    approle: approleSettings(who),
  };
}

const destinationItem = v.strictObject(
  {
    ...vaultConnection("this destination", ""),
    map: list("sync.map for this destination alone: replaces sync.map there.", { each: pathMapping }),
  },
  "must be a mapping of settings",
);

const auditPath = (text: string) => {
  const path = text.replace(/^\/+|\/+$/g, "");
  return /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(path)
    ? path
    : new Invalid('must be an audit device path such as "courier"');
};
const auditAddress = (text: string) => {
  const parsed = parseAuditAddress(text);
  return parsed instanceof Invalid ? parsed : text;
};
const hostPort = (text: string) => {
  const parsed = parseHostPort(text);
  return parsed instanceof Invalid ? parsed : text;
};
/** "secret" → "secret/"; "/team-a/kv" → "team-a/kv/" */
const mountPath = (text: string) => `${text.replace(/^\/+|\/+$/g, "")}/`;
const positive = (ms: number) => (ms > 0 ? ms : new Invalid("must be longer than 0"));

export const ConfigSchema = v.strictObject({
  vault: section({
    source: section(vaultConnection("the source Vault", "http://127.0.0.1:8200", SOURCE_ENV)),
    destinations: section({
      addresses: list("Destination Vault addresses, comma-separated.", { each: vaultUrl }),
      tokens: list("Destination tokens, comma-separated: one per address in order, or one for all.", {
        secret: true,
      }),
      token_files: list("Files holding destination tokens: one per address in order, or one for all."),
      namespace: text('Namespace for every destination that does not set its own; "" is the root.'),
      tls: tlsSettings("each destination"),
      approle: approleSettings("each destination"),
      list: entries(
        "Destinations with settings of their own (config file only): each item takes address, token, token_file, namespace, tls and approle as the source does, and a map of its own (sync.map's form, replacing it there); what an item leaves out comes from the vault.destinations settings. Used instead of addresses.",
        destinationItem,
      ),
    }),
    audit_address: text(
      "Where Courier receives audit entries: host:port (UDP), udp://, tcp://host:port, unix:///socket, or file:///path to tail Vault's file audit device.",
      "127.0.0.1:1269",
      { check: auditAddress },
    ),
    audit_allow: list(
      "Sender addresses (IPs or CIDRs) allowed to send audit entries; others are dropped and counted.",
      {
        each: parseCidr,
        docDefault: "loopback and the source's own address",
      },
    ),
    audit_path: text("Path of the socket audit device that courier setup enables on the source.", "courier", {
      check: auditPath,
    }),
    audit_description: text("Description of that audit device.", "Courier audit device"),
  }),
  audit: section({
    prefix: text("Prefix the audit device writes before each entry (its prefix option); stripped."),
    format: choice("Audit entry format; only json has line framing.", ["json"], "json", {
      jsonx: "jsonx is not supported: it is XML without line framing; set the audit device's format to json",
    }),
    max_line_bytes: size("Longest audit entry accepted; longer ones are dropped and counted.", "1MiB", 1024),
    udp_receive_buffer: size(
      "Socket receive buffer for UDP; bursts beyond it are lost. Linux caps it at net.core.rmem_max.",
      "8MiB",
      4096,
    ),
    max_rate: integer(
      "Most audit-triggered syncs started per second, so a flood of entries cannot become unbounded load on the source. 0 = unlimited.",
      2000,
      0,
    ),
  }),
  worker: section({
    concurrency: integer(
      "Sync worker threads, each running up to 32 syncs at once. The default leaves a core to the main thread and the HTTP client thread all workers share: on 2 cores, 1 worker synced more keys per second, with less CPU per key and a shorter p99, than 2.",
      defaultWorkerThreads,
      1,
      "CPU cores − 1 (at least 1)",
    ),
    queue_size: integer(
      "Most distinct keys waiting to sync; beyond it a mount is marked for a full pass.",
      100_000,
      1,
    ),
  }),
  sync: section({
    namespaces: list(
      "Namespaces to replicate, below the source's namespace (Vault Enterprise, OpenBao): globs over namespace paths, `team1/**` (team1/ and every namespace below it), `team1/*` (its children), `\"\"` (the root). Each namespace's KV mounts, keys and ACL policies; a namespace missing on a destination is made there under sync.create_mounts.",
      { docDefault: "every namespace" },
    ),
    map: list(
      "Where source paths land on destinations, FROM=TO (comma-separated; a list in YAML): a prefix of namespace and mount, both ending in `/`. `secret/=mirror/` puts the root's secret/ mount at mirror/; `team1/=dr/team1/` puts namespace team1/ and everything below it (mounts, keys, policies) at dr/team1/; `team1/secret/=team1/kv/` moves one mount within its namespace. The longest FROM wins.",
      { each: pathMapping, docDefault: "every path stays where it is" },
    ),
    mounts: list("KV mounts to replicate, comma-separated (e.g. secret/,team/kv/).", {
      each: mountPath,
      docDefault: "every KV mount of the source",
    }),
    include: list(
      "Only KV keys whose full name, mount included, matches one of these globs: `secret/app/**` (app/ in secret/), `*/app/**` (app/ in every mount), `team-a/secret/**` (in a namespace); `*` stays within one path segment, `**` crosses them. A glob that can match no KV mount in scope stops Courier at start-up.",
      { docDefault: "everything" },
    ),
    exclude: list(
      "Keys matching these globs (the form of sync.include: `secret/tmp/**`) are never replicated; wins over include. ACL policies are named `sys/policies/acl/NAME` here.",
    ),
    policies: flag("Replicate ACL policies (root is never touched, default never deleted).", true),
    deletes: flag("Deletes seen in the audit stream reach the destinations.", true),
    create_mounts: flag(
      "Create a KV mount missing on a destination, with the source's type and options.",
      true,
    ),
    interval: duration("Time between full reconciliation passes; 0 = only the one at start.", "15m"),
    prune: choice(
      "Which destination keys the source does not have are deleted, by passes and by audit hints alike: managed = only keys Courier wrote there (or found equal to the source's), remembered in state.dir; all = any such key; off = none found by passes (hints delete managed keys only). A namespace the source no longer has goes the same way: all = always, managed = only when everything in it is Courier's, off = never. managed acts as off while sync.deletes is false. The old boolean --sync.prune still works: true = all, false = off.",
      ["managed", "all", "off"],
      "managed",
      {},
      { true: "all", false: "off" },
    ),
  }),
  retry: section({
    initial: duration(
      "First wait before retrying a failed destination write; doubles with jitter.",
      "500ms",
      positive,
    ),
    max: duration("Longest wait between retries.", "1m", positive),
  }),
  state: section({
    dir: text(
      "Directory for Courier's state (file source offsets, the keys it manages on each destination). systemd's StateDirectory= sets STATE_DIRECTORY.",
      "/var/lib/courier",
      { env: ["STATE_DIRECTORY"] },
    ),
  }),
  http: section({
    address: text('Address for /healthz, /readyz and /metrics, e.g. "127.0.0.1:9850"; "" = off.', "", {
      check: hostPort,
      hint: "127.0.0.1:9850",
    }),
  }),
  log: section({
    level: choice("Least severe log level written.", ["error", "warn", "info", "debug", "trace"], "info"),
    format: choice("auto = human on a terminal, JSON lines otherwise.", ["auto", "json", "pretty"], "auto"),
  }),
});

export type Config = v.InferOutput<typeof ConfigSchema>;
/** How Courier reaches one Vault, with its token already read from its file. */
export type VaultTarget = Config["vault"]["source"];
export type LogLevelName = Config["log"]["level"];
export type LogFormat = Config["log"]["format"];

/**
 * One sync worker per core but one: the main thread (audit reading, scheduling) and the runtime's
 * one HTTP client thread, which every worker's requests go through, are busy whenever the workers
 * are, and a worker per core left them fighting the workers for the CPU.
 * defaultWorkerThreads() on 2 cores → 1; on 8 → 7; on 1 → 1
 */
export function defaultWorkerThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}
