// Sender allowlists: which addresses may send audit entries. Anyone on the network can write to
// a UDP port, so everything outside the list is dropped (and counted by the listener). The
// listener's allowlist reads each entry; the settings check them with it, so what passes here is
// what the listener compiles.
import { canonicalCidr } from "../audit/listeners/allowlist.ts";
import { CourierError } from "../errors.ts";
import { Invalid } from "./values.ts";

/**
 * One CIDR in canonical form; a bare address means that one host.
 * parseCidr("10.0.0.0/8") → "10.0.0.0/8"; parseCidr("192.0.2.7") → "192.0.2.7/32"; parseCidr("::1") → "::1/128"
 */
export function parseCidr(input: string): string | Invalid {
  try {
    return canonicalCidr(input.trim());
  } catch (error) {
    if (!(error instanceof CourierError)) throw error;
    return new Invalid('must be an IP address or CIDR such as "10.0.0.0/8" or "::1/128"');
  }
}
