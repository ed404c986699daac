// Which addresses may send audit entries. Anyone who can reach the listener could otherwise feed
// it hints; the default (decided by the caller) is loopback plus the source Vault's own address.
// Matching is node:net's BlockList, which also matches an IPv4 rule against the IPv4-mapped form a
// dual-stack socket reports ("::ffff:127.0.0.1"); this file only validates and normalises.

import { BlockList, isIP } from "node:net";
import { CourierError } from "../../errors.ts";

/** Loopback in both families: the part of the default every caller starts from. */
export const LOOPBACK_CIDRS: readonly string[] = ["127.0.0.0/8", "::1/128"];

export interface Allowlist {
  allows(address: string): boolean;
}

/** A cache of answers per sender, so a datagram costs one Map lookup; cleared when it fills up. */
const CACHE_LIMIT = 4096;

/**
 * Compiles CIDRs ("10.0.0.0/8", "fd00::/8", or a bare address for one host); throws
 * CONFIG_INVALID naming a bad one.
 * compileAllowlist(["127.0.0.0/8"]).allows("::ffff:127.0.0.1") → true
 */
export function compileAllowlist(cidrs: readonly string[]): Allowlist {
  const networks = new BlockList();
  for (const cidr of cidrs) {
    const { address, bits, family } = readCidr(cidr);
    networks.addSubnet(address, bits, family);
  }
  const cache = new Map<string, boolean>();
  return {
    allows(sender) {
      let answer = cache.get(sender);
      if (answer !== undefined) return answer;
      const address = bareAddress(sender);
      const family = isIP(address);
      answer = family !== 0 && networks.check(address, family === 4 ? "ipv4" : "ipv6");
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(sender, answer);
      return answer;
    },
  };
}

/**
 * The CIDR as settings keep it: a bare address is that one host. Throws like compileAllowlist.
 * canonicalCidr("192.0.2.7") → "192.0.2.7/32"; canonicalCidr("::1") → "::1/128"; canonicalCidr("127.0.0.0/08") → "127.0.0.0/8"
 */
export function canonicalCidr(cidr: string): string {
  const { address, bits } = readCidr(cidr);
  return `${address}/${bits}`;
}

/** The parts of "address[/bits]", bits counted in the address's own family. */
function readCidr(cidr: string): { address: string; bits: number; family: "ipv4" | "ipv6" } {
  const slash = cidr.indexOf("/");
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  // Brackets belong around an address in host:port, and a zone to one interface, not in a CIDR.
  // isIP refuses a leading zero ("010.0.0.1"), which some readers take for octal.
  const version = address.includes("%") ? 0 : isIP(address);
  if (version === 0) throw invalid(cidr, "it is not an IPv4 or IPv6 address");
  const max = version === 4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const suffix = cidr.slice(slash + 1);
    bits = /^\d{1,3}$/.test(suffix) ? Number(suffix) : Number.NaN;
    if (!(bits >= 0 && bits <= max)) throw invalid(cidr, `the prefix length must be 0 to ${max}`);
  }
  return { address, bits, family: version === 4 ? "ipv4" : "ipv6" };
}

/** "[fe80::1%eth0]" → "fe80::1": a sender's address without brackets or zone. */
function bareAddress(sender: string): string {
  const address = sender.startsWith("[") && sender.endsWith("]") ? sender.slice(1, -1) : sender;
  const zone = address.indexOf("%");
  return zone === -1 ? address : address.slice(0, zone);
}

function invalid(cidr: string, why: string): CourierError {
  return new CourierError("CONFIG_INVALID", `audit sender allowlist entry "${cidr}" is invalid: ${why}`);
}
