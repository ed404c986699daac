import { describe, expect, test } from "bun:test";
import { compileAllowlist } from "../../../src/audit/listeners/allowlist.ts";
import { LOOPBACK_CIDRS } from "../../../src/config/addresses.ts";
import { CourierError } from "../../../src/errors.ts";

describe("sender allowlist", () => {
  test.each([
    [LOOPBACK_CIDRS, "127.0.0.1", true],
    [LOOPBACK_CIDRS, "127.8.9.10", true],
    [LOOPBACK_CIDRS, "::1", true],
    [LOOPBACK_CIDRS, "::ffff:127.0.0.1", true],
    [LOOPBACK_CIDRS, "::FFFF:127.0.0.1", true],
    [LOOPBACK_CIDRS, "0:0:0:0:0:0:0:1", true],
    [LOOPBACK_CIDRS, "128.0.0.1", false],
    [LOOPBACK_CIDRS, "::2", false],
    [LOOPBACK_CIDRS, "10.0.0.1", false],
    [["10.1.2.3"], "10.1.2.3", true],
    [["10.1.2.3"], "10.1.2.4", false],
    [["10.0.0.0/8"], "10.255.255.255", true],
    [["10.0.0.0/8"], "11.0.0.0", false],
    [["192.168.1.128/25"], "192.168.1.200", true],
    [["192.168.1.128/25"], "192.168.1.100", false],
    [["0.0.0.0/0"], "203.0.113.9", true],
    [["0.0.0.0/0"], "2001:db8::1", false],
    [["::/0"], "2001:db8::1", true],
    [["::/0"], "203.0.113.9", true],
    [["2001:db8::/32"], "2001:db8:ffff::1", true],
    [["2001:db8::/32"], "2001:db9::1", false],
    [["fe80::/10"], "fe80::1%eth0", true],
    [["2001:db8::10"], "[2001:db8::10]", true],
    [["::ffff:10.0.0.0/104"], "10.9.9.9", true],
    [["10.0.0.0/8"], "::ffff:a00:1", true],
    [LOOPBACK_CIDRS, "not-an-address", false],
    [LOOPBACK_CIDRS, "", false],
    [LOOPBACK_CIDRS, "1.2.3.256", false],
    [LOOPBACK_CIDRS, "1::2::3", false],
    [[], "127.0.0.1", false],
  ])("%j lets %p send: %p", (cidrs, address, expected) => {
    const allowlist = compileAllowlist(cidrs);
    expect(allowlist.allows(address)).toBe(expected);
    expect(allowlist.allows(address)).toBe(expected); // and again, from the cache
  });

  // As the settings write it: loopback, and the source's own address as a /32.
  const settings = ["127.0.0.0/8", "::1/128", "192.0.2.10/32"];
  test.each([
    ["127.0.0.1", true],
    ["127.9.9.9", true],
    ["::1", true],
    ["::ffff:127.0.0.1", true],
    ["192.0.2.10", true],
    ["192.0.2.11", false],
    ["10.0.0.1", false],
    ["not an address", false],
  ])("with the settings' default, a sender at %p is allowed: %p", (sender, verdict) => {
    expect(compileAllowlist(settings).allows(sender)).toBe(verdict);
  });

  test.each([
    ["10.0.0.0/33", "0 to 32"],
    ["::/129", "0 to 128"],
    ["10.0.0.0/x", "0 to 32"],
    ["10.0.0.0/", "0 to 32"],
    ["example.com", "not an IPv4 or IPv6 address"],
    ["300.1.1.1/8", "not an IPv4 or IPv6 address"],
    ["010.0.0.0/8", "not an IPv4 or IPv6 address"],
    ["[::1]/128", "not an IPv4 or IPv6 address"],
  ])("refuses %p, naming it", (cidr, why) => {
    let error: unknown;
    try {
      compileAllowlist([cidr]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CourierError);
    expect((error as Error).message).toContain(`"${cidr}"`);
    expect((error as Error).message).toContain(why);
  });
});
