// Sender allowlists: which addresses may send audit entries. Anyone on the network can write to
// a UDP port, so everything outside the list is dropped (and counted by the listener).
import { BlockList, isIP } from "node:net";
import { Invalid } from "./values.ts";

/** What Courier allows when vault.audit_allow is empty: this host's loopback, v4 and v6. */
export const LOOPBACK_CIDRS = ["127.0.0.0/8", "::1/128"];

/**
 * One CIDR in canonical form; a bare address means that one host.
 * parseCidr("10.0.0.0/8") → "10.0.0.0/8"; parseCidr("192.0.2.7") → "192.0.2.7/32"; parseCidr("::1") → "::1/128"
 */
export function parseCidr(input: string): string | Invalid {
  const problem = 'must be an IP address or CIDR such as "10.0.0.0/8" or "::1/128"';
  const [address = "", prefix, extra] = input.trim().split("/");
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return new Invalid(problem);
  const max = family === 4 ? 32 : 128;
  if (prefix === undefined) return `${address}/${max}`;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return new Invalid(problem);
  return `${address}/${Number(prefix)}`;
}

/**
 * A matcher for sender addresses; IPv4-mapped IPv6 senders (::ffff:127.0.0.1) match IPv4 ranges.
 * allowlist(["127.0.0.0/8"])("127.0.0.9") → true; allowlist(["127.0.0.0/8"])("192.0.2.1") → false
 */
export function allowlist(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = "", prefix = ""] = cidr.split("/");
    const family = isIP(address);
    if (family !== 0) list.addSubnet(address, Number(prefix), family === 4 ? "ipv4" : "ipv6");
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
  };
}
