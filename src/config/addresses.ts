// The address forms settings accept: a Vault URL, a host:port to listen on, and the audit source
// (a socket Vault's socket device writes to, or the file Vault's file device writes).
import {
  LISTEN_ADDRESS_FORMS,
  type ListenAddress,
  parseListenAddress,
  splitHostPort,
} from "../audit/listeners/address.ts";
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

/**
 * Where audit entries come from, read as the listener reads it. A bare host:port means UDP.
 * parseAuditAddress("127.0.0.1:1269") → {transport:"udp",host:"127.0.0.1",port:1269}
 * parseAuditAddress("file:///var/log/vault/audit.log") → {transport:"file",path:"/var/log/vault/audit.log"}
 */
export function parseAuditAddress(input: string): ListenAddress | Invalid {
  try {
    return parseListenAddress(input.trim());
  } catch (error) {
    if (!(error instanceof CourierError)) throw error;
    return new Invalid(`must be ${LISTEN_ADDRESS_FORMS}`);
  }
}
