// The address forms settings accept: a Vault URL, a host:port to listen on, and the audit source
// (a socket Vault's socket device writes to, or the file Vault's file device writes).
import { isIP } from "node:net";
import { Invalid } from "./values.ts";

export type AuditAddress =
  | { transport: "udp" | "tcp"; host: string; port: number }
  | { transport: "unix" | "file"; path: string };

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
  const problem = 'must be host:port, such as "127.0.0.1:1269" or "[::1]:1269"';
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(input.trim());
  if (!match) return new Invalid(problem);
  const host = (match[1] ?? match[2]) as string;
  const port = Number(match[3]);
  if (port > 65535) return new Invalid(problem);
  if (match[1] !== undefined && isIP(host) !== 6) return new Invalid(problem);
  return { host, port };
}

/**
 * Where audit entries come from. A bare host:port means UDP, as in the original Courier.
 * parseAuditAddress("127.0.0.1:1269") → {transport:"udp",host:"127.0.0.1",port:1269}
 * parseAuditAddress("file:///var/log/vault/audit.log") → {transport:"file",path:"/var/log/vault/audit.log"}
 */
export function parseAuditAddress(input: string): AuditAddress | Invalid {
  const problem =
    "must be host:port (UDP), udp://host:port, tcp://host:port, unix:///path/to/socket or file:///path/to/audit.log";
  const match = /^([a-z]+):\/\/(.*)$/i.exec(input.trim());
  const scheme = match ? (match[1] as string).toLowerCase() : "udp";
  const rest = match ? (match[2] as string) : input.trim();
  if (scheme === "udp" || scheme === "tcp") {
    const hostPort = parseHostPort(rest);
    return hostPort instanceof Invalid ? new Invalid(problem) : { transport: scheme, ...hostPort };
  }
  if (scheme === "unix" || scheme === "file") {
    return rest.startsWith("/") && rest.length > 1 ? { transport: scheme, path: rest } : new Invalid(problem);
  }
  return new Invalid(problem);
}
