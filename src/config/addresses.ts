// The network addresses settings hold: a Vault URL, a host:port to listen on, where the audit
// stream arrives (a socket Vault's socket device writes to, or the file its file device writes),
// and the CIDRs of who may send it. The audit listeners read their address and allowlist with
// these same functions, so a value that passes the settings is one a listener can start on.
import { BlockList, isIP } from "node:net";
import { CourierError } from "../errors.ts";
import { Invalid } from "./values.ts";

/**
 * A Vault address as the Vault CLI takes it (VAULT_ADDR): an http or https URL, trailing slash dropped.
 * parseVaultUrl("https://vault:8200/") → "https://vault:8200"; parseVaultUrl("vault:8200") → Invalid
 */
export function parseVaultUrl(input: string): string | Invalid {
  const problem = 'must be an http:// or https:// URL such as "https://vault.example:8200"';
  if (!/^https?:\/\//i.test(input)) return new Invalid(problem);
  try {
    const url = new URL(input);
    if (url.hostname === "" || url.search !== "" || url.hash !== "") return new Invalid(problem);
    return input.replace(/\/+$/, "");
  } catch {
    return new Invalid(problem);
  }
}

/**
 * Host and port of a listening address; IPv6 hosts in brackets; port 0 picks a free port.
 * parseHostPort("127.0.0.1:1269") → {host:"127.0.0.1",port:1269}; parseHostPort("[::1]:0") → {host:"::1",port:0}
 */
export function parseHostPort(input: string): { host: string; port: number } | Invalid {
  const parts = splitHostPort(input.trim());
  return typeof parts === "string"
    ? new Invalid('must be host:port, such as "127.0.0.1:1269" or "[::1]:1269"')
    : parts;
}

// ── Where the audit stream arrives (`vault.audit_address`) ──────────────────────────────────────
// A bare "host:port" means UDP, as in the original Courier; the other transports are named by a scheme.

export type ListenAddress =
  | { transport: "udp" | "tcp"; host: string; port: number }
  | { transport: "unix"; path: string }
  /** Recognised here; an audit file is followed by the file tailer, not a socket listener. */
  | { transport: "file"; path: string };

/** Every accepted form, for messages that refuse one. */
export const LISTEN_ADDRESS_FORMS =
  "host:port (UDP), udp://host:port, tcp://host:port, unix:///path/to/socket or file:///path/to/audit.log";

/**
 * The audit address as a setting: refused with every accepted form named.
 * parseAuditAddress("127.0.0.1:1269") → {transport:"udp",host:"127.0.0.1",port:1269}
 * parseAuditAddress("file:///var/log/vault/audit.log") → {transport:"file",path:"/var/log/vault/audit.log"}
 */
export function parseAuditAddress(input: string): ListenAddress | Invalid {
  const address = readListenAddress(input.trim());
  return typeof address === "string" ? new Invalid(`must be ${LISTEN_ADDRESS_FORMS}`) : address;
}

/**
 * The audit address as a listener starts on it; throws CONFIG_INVALID saying why and what is accepted.
 * parseListenAddress("tcp://[::1]:9000") → {transport:"tcp", host:"::1", port:9000}
 * parseListenAddress("unix:///run/courier.sock") → {transport:"unix", path:"/run/courier.sock"}
 */
export function parseListenAddress(text: string): ListenAddress {
  const address = readListenAddress(text);
  if (typeof address !== "string") return address;
  throw new CourierError(
    "CONFIG_INVALID",
    `audit address "${text}" is invalid: ${address}; accepted forms: ${LISTEN_ADDRESS_FORMS}`,
  );
}

/** The address as a user would write it: "udp://127.0.0.1:1269", "unix:///run/courier.sock". */
export function formatListenAddress(address: ListenAddress): string {
  if (address.transport === "unix" || address.transport === "file")
    return `${address.transport}://${address.path}`;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return `${address.transport}://${host}:${address.port}`;
}

// ── Who may send audit entries (`vault.audit_allow`) ────────────────────────────────────────────
// Anyone on the network can write to a UDP port, so everything outside the list is dropped (and
// counted by the listener). Matching is node:net's BlockList, which also matches an IPv4 rule
// against the IPv4-mapped form a dual-stack socket reports ("::ffff:127.0.0.1").

/** Loopback in both families: the part of the default every caller starts from. */
export const LOOPBACK_CIDRS: readonly string[] = ["127.0.0.0/8", "::1/128"];

/**
 * One CIDR in canonical form; a bare address means that one host.
 * parseCidr("10.0.0.0/8") → "10.0.0.0/8"; parseCidr("192.0.2.7") → "192.0.2.7/32"; parseCidr(" 127.0.0.0/08 ") → "127.0.0.0/8"
 */
export function parseCidr(input: string): string | Invalid {
  const cidr = readCidr(input.trim());
  return typeof cidr === "string"
    ? new Invalid('must be an IP address or CIDR such as "10.0.0.0/8" or "::1/128"')
    : `${cidr.address}/${cidr.bits}`;
}

/**
 * The CIDRs as one BlockList; throws CONFIG_INVALID naming a bad one.
 * cidrBlockList(["127.0.0.0/8"]).check("127.0.0.1", "ipv4") → true
 */
export function cidrBlockList(cidrs: readonly string[]): BlockList {
  const networks = new BlockList();
  for (const cidr of cidrs) {
    const parts = readCidr(cidr);
    if (typeof parts === "string") {
      throw new CourierError("CONFIG_INVALID", `audit sender allowlist entry "${cidr}" is invalid: ${parts}`);
    }
    networks.addSubnet(parts.address, parts.bits, parts.family);
  }
  return networks;
}

/**
 * Who may send audit entries when vault.audit_allow is empty: loopback, plus the source's own
 * address (its IP, or what its host name resolves to), since Vault sends from its own host.
 * defaultAllowlist("https://192.0.2.10:8200") → ["127.0.0.0/8", "::1/128", "192.0.2.10/32"]
 */
export async function defaultAllowlist(
  sourceAddress: string,
  resolve: (host: string) => Promise<string[]> = resolveHost,
): Promise<{ cidrs: string[]; warning?: string }> {
  const host = new URL(sourceAddress).hostname.replace(/^\[|\]$/g, "");
  const cidrs = [...LOOPBACK_CIDRS];
  if (host === "localhost") return { cidrs };
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    return {
      cidrs,
      warning: `could not resolve ${host}: audit entries are accepted from loopback only; set vault.audit_allow`,
    };
  }
  const loopback = cidrBlockList(LOOPBACK_CIDRS);
  for (const address of addresses) {
    const one = readCidr(address.trim());
    if (typeof one === "string" || loopback.check(one.address, one.family)) continue;
    const cidr = `${one.address}/${one.bits}`;
    if (!cidrs.includes(cidr)) cidrs.push(cidr);
  }
  return { cidrs };
}

// ── Helpers ─────────────────────────────────────────────────────────────────────────────────────

/**
 * The parts of "address[/bits]", bits counted in the address's own family, or why not.
 * readCidr("127.0.0.0/08") → {address:"127.0.0.0", bits:8, family:"ipv4"}
 */
function readCidr(cidr: string): { address: string; bits: number; family: "ipv4" | "ipv6" } | string {
  const slash = cidr.indexOf("/");
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  // Brackets belong around an address in host:port, and a zone to one interface, not in a CIDR.
  // isIP refuses a leading zero ("010.0.0.1"), which some readers take for octal.
  const version = address.includes("%") ? 0 : isIP(address);
  if (version === 0) return "it is not an IPv4 or IPv6 address";
  const max = version === 4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const suffix = cidr.slice(slash + 1);
    bits = /^\d{1,3}$/.test(suffix) ? Number(suffix) : Number.NaN;
    if (!(bits >= 0 && bits <= max)) return `the prefix length must be 0 to ${max}`;
  }
  return { address, bits, family: version === 4 ? "ipv4" : "ipv6" };
}

/** readListenAddress("unix://x.sock") → "the path must be absolute (…)": the address, or why not. */
function readListenAddress(text: string): ListenAddress | string {
  const scheme = /^([a-z]+):\/\//i.exec(text);
  if (scheme === null) return withHostPort("udp", text);
  const rest = text.slice(scheme[0].length);
  switch (scheme[1]!.toLowerCase()) {
    case "udp":
      return withHostPort("udp", rest);
    case "tcp":
      return withHostPort("tcp", rest);
    case "unix":
      return withPath("unix", rest);
    case "file":
      return withPath("file", rest);
    default:
      return `unknown scheme "${scheme[1]}"`;
  }
}

function withHostPort(transport: "udp" | "tcp", text: string): ListenAddress | string {
  const parts = splitHostPort(text);
  return typeof parts === "string" ? parts : { transport, ...parts };
}

function withPath(transport: "unix" | "file", path: string): ListenAddress | string {
  if (!path.startsWith("/")) return "the path must be absolute (three slashes: unix:///run/x.sock)";
  if (path === "/") return "the path must name a socket or file below /";
  return { transport, path };
}

/**
 * Host and port, or why not.
 * splitHostPort("[::1]:1269") → {host:"::1", port:1269}; splitHostPort("1269") → "expected host:port, …"
 */
function splitHostPort(text: string): { host: string; port: number } | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null || (match[1] !== undefined && isIP(match[1]) !== 6))
    return "expected host:port, with IPv6 hosts in brackets ([::1]:1269)";
  const port = Number(match[3]);
  if (port > 65535) return "the port must be 0 to 65535";
  return { host: (match[1] ?? match[2])!, port };
}

async function resolveHost(host: string): Promise<string[]> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("timeout")), 2000).unref(),
  );
  // Loaded only for a source named by host name: node:dns costs megabytes resident once loaded.
  const { lookup } = await import("node:dns/promises");
  const found = await Promise.race([lookup(host, { all: true }), timeout]);
  return found.map((entry) => entry.address);
}
