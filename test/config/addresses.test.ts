import { afterAll, describe, expect, test } from "bun:test";
import {
  defaultAllowlist,
  formatListenAddress,
  parseAuditAddress,
  parseCidr,
  parseHostPort,
  parseListenAddress,
  parseVaultUrl,
} from "../../src/config/addresses.ts";
import { Invalid } from "../../src/config/values.ts";
import { CourierError } from "../../src/errors.ts";
import { load, scratch } from "./helpers.ts";

const where = scratch();
afterAll(() => where.remove());

describe("a Vault address is an http or https URL", () => {
  test.each([
    ["https://vault.example:8200", "https://vault.example:8200"],
    ["http://127.0.0.1:8200/", "http://127.0.0.1:8200"],
    ["HTTPS://[::1]:8200", "HTTPS://[::1]:8200"],
  ])("%p is taken as %p", (input, url) => {
    expect(parseVaultUrl(input)).toBe(url);
  });

  test.each([["vault:8200"], ["127.0.0.1:8200"], ["ftp://vault"], ["https://"], ["https://v:8200/?x=1"]])(
    "%p is refused",
    (input) => {
      expect(parseVaultUrl(input)).toBeInstanceOf(Invalid);
    },
  );
});

describe("a listening address is host:port", () => {
  test.each([
    ["127.0.0.1:9850", { host: "127.0.0.1", port: 9850 }],
    ["[::1]:0", { host: "::1", port: 0 }],
    ["localhost:1269", { host: "localhost", port: 1269 }],
  ])("%p is %p", (input, parts) => {
    expect(parseHostPort(input)).toEqual(parts);
  });

  test.each([["127.0.0.1"], [":9850"], ["127.0.0.1:70000"], ["::1:9850"], ["[nothost]:1"], ["a b:1"]])(
    "%p is refused",
    (input) => {
      expect(parseHostPort(input)).toBeInstanceOf(Invalid);
    },
  );
});

describe("the audit address says the transport, UDP when it does not", () => {
  test.each([
    ["127.0.0.1:1269", { transport: "udp", host: "127.0.0.1", port: 1269 }],
    ["udp://0.0.0.0:1269", { transport: "udp", host: "0.0.0.0", port: 1269 }],
    ["tcp://127.0.0.1:1270", { transport: "tcp", host: "127.0.0.1", port: 1270 }],
    ["TCP://[::1]:1270", { transport: "tcp", host: "::1", port: 1270 }],
    ["unix:///run/courier/audit.sock", { transport: "unix", path: "/run/courier/audit.sock" }],
    ["file:///var/log/vault/audit.log", { transport: "file", path: "/var/log/vault/audit.log" }],
  ])("%p is %p", (input, address) => {
    expect(parseAuditAddress(input)).toEqual(address as never);
  });

  test.each([
    ["http://127.0.0.1:1269"],
    ["unix://relative.sock"],
    ["file://"],
    ["tcp://127.0.0.1"],
    ["1269"],
  ])("%p is refused with every accepted form named", (input) => {
    const out = parseAuditAddress(input) as Invalid;
    expect(out.problem).toContain("tcp://host:port");
    expect(out.problem).toContain("file:///path");
  });
});

describe("a listener reads the audit address the same way, saying why it refuses one", () => {
  test.each([
    ["127.0.0.1:1269", { transport: "udp", host: "127.0.0.1", port: 1269 }],
    ["localhost:0", { transport: "udp", host: "localhost", port: 0 }],
    ["[::1]:1269", { transport: "udp", host: "::1", port: 1269 }],
    ["udp://0.0.0.0:1269", { transport: "udp", host: "0.0.0.0", port: 1269 }],
    ["UDP://127.0.0.1:9", { transport: "udp", host: "127.0.0.1", port: 9 }],
    ["tcp://127.0.0.1:9090", { transport: "tcp", host: "127.0.0.1", port: 9090 }],
    ["tcp://[::]:9090", { transport: "tcp", host: "::", port: 9090 }],
    ["unix:///run/courier/audit.sock", { transport: "unix", path: "/run/courier/audit.sock" }],
    ["file:///var/log/vault/audit.log", { transport: "file", path: "/var/log/vault/audit.log" }],
  ])("reads %p", (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected as never);
  });

  test.each([
    ["", "expected host:port"],
    ["1269", "expected host:port"],
    [":1269", "expected host:port"],
    ["127.0.0.1:65536", "0 to 65535"],
    ["127.0.0.1:port", "expected host:port"],
    ["::1:1269", "expected host:port"],
    ["http://127.0.0.1:1269", 'unknown scheme "http"'],
    ["tcp://127.0.0.1", "expected host:port"],
    ["unix://relative.sock", "must be absolute"],
    ["file:///", "must name a socket or file"],
    ["tcp://[vault.example]:1269", "expected host:port"],
  ])("refuses %p, saying why and what is accepted", (text, why) => {
    let error: unknown;
    try {
      parseListenAddress(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CourierError);
    expect((error as CourierError).code).toBe("CONFIG_INVALID");
    expect((error as Error).message).toContain(why);
    expect((error as Error).message).toContain("unix:///path");
  });

  test.each([
    ["127.0.0.1:1269", "udp://127.0.0.1:1269"],
    ["tcp://[::1]:80", "tcp://[::1]:80"],
    ["unix:///tmp/a.sock", "unix:///tmp/a.sock"],
  ])("formats %p as %p", (text, expected) => {
    expect(formatListenAddress(parseListenAddress(text))).toBe(expected);
  });
});

describe("sender allowlists", () => {
  test.each([
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["192.0.2.7", "192.0.2.7/32"],
    ["::1", "::1/128"],
    ["fd00::/8", "fd00::/8"],
    [" 127.0.0.0/08 ", "127.0.0.0/8"],
  ])("%p is written %p", (input, cidr) => {
    expect(parseCidr(input)).toBe(cidr);
  });

  test.each([["10.0.0.0/33"], ["::/129"], ["vault.example"], ["10.0.0.0/8/1"], ["10.0.0/8"]])(
    "%p is refused",
    (input) => {
      expect(parseCidr(input)).toBeInstanceOf(Invalid);
    },
  );
});

describe("who may send audit entries by default", () => {
  test.each([
    ["http://127.0.0.1:8200", ["127.0.0.0/8", "::1/128"]],
    ["http://localhost:8200", ["127.0.0.0/8", "::1/128"]],
    ["https://192.0.2.10:8200", ["127.0.0.0/8", "::1/128", "192.0.2.10/32"]],
    ["https://[2001:db8::5]:8200", ["127.0.0.0/8", "::1/128", "2001:db8::5/128"]],
  ])("with the source at %s: %p", async (address, cidrs) => {
    expect((await defaultAllowlist(address, async () => [])).cidrs).toEqual(cidrs);
  });

  test("a source host name adds what it resolves to", async () => {
    const out = await defaultAllowlist("https://vault.example:8200", async () => ["192.0.2.20", "127.0.1.1"]);
    expect(out).toEqual({ cidrs: ["127.0.0.0/8", "::1/128", "192.0.2.20/32"] });
  });

  test("a host name that does not resolve leaves loopback only, with a warning", async () => {
    const out = await defaultAllowlist("https://vault.example:8200", async () => {
      throw new Error("ENOTFOUND");
    });
    expect(out.cidrs).toEqual(["127.0.0.0/8", "::1/128"]);
    expect(out.warning).toBe(
      "could not resolve vault.example: audit entries are accepted from loopback only; set vault.audit_allow",
    );
  });

  test("an audit_allow that is set is kept as given", async () => {
    const { config } = await load({ argv: ["--vault.audit_allow=10.0.0.0/8"] }, where);
    expect(config.vault.audit_allow).toEqual(["10.0.0.0/8"]);
  });
});
