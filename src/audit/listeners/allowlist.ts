// Which addresses may send audit entries. Anyone who can reach the listener could otherwise feed
// it hints; the default (decided by the caller) is loopback plus the source Vault's own address.
// Addresses are compared as 128-bit numbers with IPv4 mapped into ::ffff:0:0/96, so an IPv4 CIDR
// also matches the IPv4-mapped form a dual-stack socket reports ("::ffff:127.0.0.1").

import { CourierError } from "../../errors.ts";

/** Loopback in both families: the part of the default every caller starts from. */
export const LOOPBACK_CIDRS: readonly string[] = ["127.0.0.0/8", "::1/128"];

export interface Allowlist {
  allows(address: string): boolean;
}

interface Network {
  words: Uint32Array;
  bits: number;
}

/** A cache of answers per sender, so a datagram costs one Map lookup; cleared when it fills up. */
const CACHE_LIMIT = 4096;

/**
 * Compiles CIDRs ("10.0.0.0/8", "fd00::/8", or a bare address for one host).
 * compileAllowlist(["127.0.0.0/8"]).allows("::ffff:127.0.0.1") → true
 */
export function compileAllowlist(cidrs: readonly string[]): Allowlist {
  const networks = cidrs.map(parseCidr);
  const cache = new Map<string, boolean>();
  return {
    allows(address) {
      let answer = cache.get(address);
      if (answer !== undefined) return answer;
      const words = parseIp(address);
      answer = words !== undefined && networks.some((network) => contains(network, words));
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(address, answer);
      return answer;
    },
  };
}

/** "10.1.0.0/16" → {words: ::ffff:10.1.0.0, bits: 112}; throws CONFIG_INVALID naming the CIDR. */
export function parseCidr(cidr: string): Network {
  const { words, bits, v4 } = readCidr(cidr);
  return { words, bits: v4 ? bits + 96 : bits };
}

/**
 * The CIDR as settings keep it: a bare address is that one host. Throws like parseCidr.
 * canonicalCidr("192.0.2.7") → "192.0.2.7/32"; canonicalCidr("::1") → "::1/128"; canonicalCidr("127.0.0.0/08") → "127.0.0.0/8"
 */
export function canonicalCidr(cidr: string): string {
  const { address, bits } = readCidr(cidr);
  return `${address}/${bits}`;
}

/** The parts of "address[/bits]", bits counted in the address's own family. */
function readCidr(cidr: string): { address: string; words: Uint32Array; bits: number; v4: boolean } {
  const slash = cidr.indexOf("/");
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  // Brackets belong around an address in host:port, not in a CIDR.
  const words = address.startsWith("[") ? undefined : parseIp(address);
  if (words === undefined) throw invalid(cidr, "it is not an IPv4 or IPv6 address");
  const v4 = isIpv4(address);
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const suffix = cidr.slice(slash + 1);
    bits = /^\d{1,3}$/.test(suffix) ? Number(suffix) : Number.NaN;
    if (!(bits >= 0 && bits <= max)) throw invalid(cidr, `the prefix length must be 0 to ${max}`);
  }
  return { address, words, bits, v4 };
}

/**
 * An address as four 32-bit words, IPv4 mapped to ::ffff:a.b.c.d; undefined if it is neither.
 * Brackets and a zone ("fe80::1%eth0") are accepted.
 */
export function parseIp(text: string): Uint32Array | undefined {
  const address = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const zone = address.indexOf("%");
  // Only an IPv6 address carries a zone.
  if (zone !== -1) return parseIpv6(address.slice(0, zone));
  if (isIpv4(address)) {
    const v4 = ipv4Word(address);
    return v4 === undefined ? undefined : Uint32Array.of(0, 0, 0xffff, v4);
  }
  return parseIpv6(address);
}

function parseIpv6(address: string): Uint32Array | undefined {
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head = groupsOf(halves[0]!, !compressed);
  const tail = compressed ? groupsOf(halves[1]!, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const zeros = 8 - head.length - tail.length;
  if (compressed ? zeros < 1 : zeros !== 0) return undefined;
  const groups = [...head, ...new Array<number>(zeros).fill(0), ...tail];
  const words = new Uint32Array(4);
  for (let w = 0; w < 4; w++) words[w] = ((groups[2 * w]! << 16) | groups[2 * w + 1]!) >>> 0;
  return words;
}

/** "fe80:0:1" → [0xfe80, 0, 1]; a final dotted IPv4 part counts as two groups. */
function groupsOf(text: string, mayEndInIpv4: boolean): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (mayEndInIpv4 && i === parts.length - 1 && isIpv4(part)) {
      const v4 = ipv4Word(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function contains(network: Network, address: Uint32Array): boolean {
  for (let w = 0; w < 4; w++) {
    const bits = Math.min(32, Math.max(0, network.bits - 32 * w));
    if (bits === 0) return true;
    const mask = bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    if ((address[w]! & mask) >>> 0 !== (network.words[w]! & mask) >>> 0) return false;
  }
  return true;
}

/** Dotted quad; a leading zero is refused, as some readers take "010" for octal 8. */
function isIpv4(text: string): boolean {
  return /^(?:(?:0|[1-9]\d{0,2})\.){3}(?:0|[1-9]\d{0,2})$/.test(text);
}

function ipv4Word(text: string): number | undefined {
  const octets = text.split(".").map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

function invalid(cidr: string, why: string): CourierError {
  return new CourierError("CONFIG_INVALID", `audit sender allowlist entry "${cidr}" is invalid: ${why}`);
}
