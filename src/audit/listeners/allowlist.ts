// Which addresses may send audit entries. Anyone who can reach the listener could otherwise feed
// it hints; the default (decided by the caller) is loopback plus the source Vault's own address.
// The settings read and check each CIDR (config/addresses.ts); this file matches senders.

import { isIP } from "node:net";
import { cidrBlockList } from "../../config/addresses.ts";

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
  const networks = cidrBlockList(cidrs);
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

/** "[fe80::1%eth0]" → "fe80::1": a sender's address without brackets or zone. */
function bareAddress(sender: string): string {
  const address = sender.startsWith("[") && sender.endsWith("]") ? sender.slice(1, -1) : sender;
  const zone = address.indexOf("%");
  return zone === -1 ? address : address.slice(0, zone);
}
