import { describe, expect, test } from "bun:test";
import { formatListenAddress, parseListenAddress } from "../../../src/audit/listeners/address.ts";
import { CourierError } from "../../../src/errors.ts";

describe("parseListenAddress", () => {
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
