import { describe, expect, test } from "bun:test";
import {
  createDatagramFramer,
  type DiscardReason,
  type FramerOptions,
  LineFramer,
} from "../../src/audit/framer.ts";
import { CourierError } from "../../src/errors.ts";
import { randomChunks, randomInt, seeded } from "./random.ts";

const encode = (text: string) => new TextEncoder().encode(text);

function collector(options: Partial<FramerOptions> = {}) {
  const lines: string[] = [];
  const discarded: [DiscardReason, number][] = [];
  const framer = new LineFramer({
    ...options,
    onLine: (line) => lines.push(line),
    onDiscard: (reason, bytes) => discarded.push([reason, bytes]),
  });
  return { framer, lines, discarded };
}

const ALPHABET = ['{"type":"response"}', "a", "é", "日本", "😀", " ", '\\"', "\\n", "0"];

function randomLine(random: () => number): string {
  let line = "";
  const parts = 1 + randomInt(random, 40);
  for (let i = 0; i < parts; i++) line += ALPHABET[randomInt(random, ALPHABET.length)];
  return line;
}

describe("LineFramer", () => {
  test("gives back exactly the lines sent, however the stream is cut (300 seeded runs)", () => {
    const random = seeded(1269);
    for (let run = 0; run < 300; run++) {
      const sent = Array.from({ length: 1 + randomInt(random, 30) }, () => randomLine(random));
      const { framer, lines, discarded } = collector();
      for (const chunk of randomChunks(random, encode(`${sent.join("\n")}\n`), 60)) framer.push(chunk);
      expect(lines).toEqual(sent);
      expect(discarded).toEqual([]);
      expect(framer.pendingBytes).toBe(0);
    }
  });

  test("with a small cap, keeps exactly the lines that fit, however the stream is cut (300 seeded runs)", () => {
    const random = seeded(65);
    const cap = 60;
    for (let run = 0; run < 300; run++) {
      const sent = Array.from({ length: 1 + randomInt(random, 30) }, () => randomLine(random));
      const { framer, lines, discarded } = collector({ maxLineBytes: cap });
      for (const chunk of randomChunks(random, encode(`${sent.join("\n")}\n`), 20)) framer.push(chunk);
      const fits = sent.filter((line) => encode(line).length <= cap);
      expect(lines).toEqual(fits);
      expect(discarded.length).toBe(sent.length - fits.length);
      expect(framer.pendingBytes).toBe(0);
    }
  });

  test("delivers a multi-byte character split between two reads intact", () => {
    const bytes = encode('{"v":"日本"}\n');
    const { framer, lines } = collector();
    framer.push(bytes.subarray(0, 8)); // inside the three bytes of 日
    framer.push(bytes.subarray(8));
    expect(lines).toEqual(['{"v":"日本"}']);
  });

  test("holds the unfinished end of a read until its newline comes", () => {
    const { framer, lines } = collector();
    framer.push(encode('{"a":1}\n{"b"'));
    expect(lines).toEqual(['{"a":1}']);
    expect(framer.pendingBytes).toBe(4);
    framer.push(encode(":2}\n"));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  test("skips blank lines", () => {
    const { framer, lines } = collector();
    framer.push(encode("\n\na\n\n\nb\n"));
    expect(lines).toEqual(["a", "b"]);
  });

  test("strips the configured prefix and passes lines without it unchanged", () => {
    const { framer, lines } = collector({ prefix: "@cee: " });
    framer.push(encode('@cee: {"a":1}\n{"b":2}\n@cee: \n@c'));
    framer.push(encode('ee: {"c":3}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  test("drops a line over the cap within one read, counts it, and keeps its neighbours", () => {
    const { framer, lines, discarded } = collector({ maxLineBytes: 64 });
    framer.push(encode(`first\n${"x".repeat(100)}\nlast\n`));
    expect(lines).toEqual(["first", "last"]);
    expect(discarded).toEqual([["oversize", 100]]);
  });

  test("drops an over-long line that spans reads up to its newline, counted once, never holding more than the cap", () => {
    const { framer, lines, discarded } = collector({ maxLineBytes: 4096 });
    framer.push(encode("before\nxx"));
    let most = 0;
    for (let i = 0; i < 1000; i++) {
      framer.push(encode("y".repeat(1024)));
      most = Math.max(most, framer.pendingBytes);
    }
    framer.push(encode("tail of the long line\nafter\n"));
    expect(lines).toEqual(["before", "after"]);
    expect(discarded.length).toBe(1);
    expect(discarded[0]![0]).toBe("oversize");
    expect(most).toBeLessThanOrEqual(4096);
  });

  test("accepts a line of exactly the cap", () => {
    const { framer, lines } = collector({ maxLineBytes: 10 });
    framer.push(encode("0123456789\n01234"));
    framer.push(encode("56789\n"));
    expect(lines).toEqual(["0123456789", "0123456789"]);
  });

  test("drops a line that is not UTF-8, counts it, and keeps the others in the same read", () => {
    const { framer, lines, discarded } = collector();
    framer.push(Uint8Array.from([...encode("good\n"), 0x7b, 0xff, 0xfe, 0x7d, 10, ...encode("also good\n")]));
    expect(lines).toEqual(["good", "also good"]);
    expect(discarded).toEqual([["invalid_utf8", 4]]);
  });

  test("drops a line whose invalid byte arrives in a later read", () => {
    const { framer, lines, discarded } = collector();
    framer.push(encode("abc"));
    framer.push(Uint8Array.from([0xc3, 10])); // a lone lead byte, then the newline
    framer.push(encode("next\n"));
    expect(lines).toEqual(["next"]);
    expect(discarded).toEqual([["invalid_utf8", 4]]);
  });

  test("drop() forgets an unfinished line and says how big it was", () => {
    const { framer, lines } = collector();
    framer.push(encode("half a li"));
    expect(framer.drop()).toBe(9);
    framer.push(encode("ne\nwhole\n"));
    expect(lines).toEqual(["ne", "whole"]);
  });

  test.each([
    ["a prefix holding a newline", { prefix: "a\nb" }],
    ["a zero cap", { maxLineBytes: 0 }],
    ["a fractional cap", { maxLineBytes: 1.5 }],
  ])("refuses %s", (_name, options) => {
    expect(() => collector(options)).toThrow(CourierError);
  });
});

describe("createDatagramFramer", () => {
  function datagrams(options: Partial<FramerOptions> = {}) {
    const lines: string[] = [];
    const discarded: DiscardReason[] = [];
    const frame = createDatagramFramer({
      ...options,
      onLine: (line) => lines.push(line),
      onDiscard: (reason) => discarded.push(reason),
    });
    return { frame, lines, discarded };
  }

  test("takes one datagram as one entry, with or without Vault's trailing newline", () => {
    const { frame, lines } = datagrams();
    frame(encode('{"a":1}\n'));
    frame(encode('{"b":2}'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  test("ignores an empty datagram and a lone newline", () => {
    const { frame, lines, discarded } = datagrams();
    frame(new Uint8Array(0));
    frame(encode("\n"));
    expect(lines).toEqual([]);
    expect(discarded).toEqual([]);
  });

  test("strips the prefix, and counts oversize and invalid UTF-8 datagrams", () => {
    const { frame, lines, discarded } = datagrams({ prefix: "vault: ", maxLineBytes: 32 });
    frame(encode('vault: {"a":1}\n'));
    frame(encode(`vault: ${"z".repeat(40)}\n`));
    frame(Uint8Array.of(0x7b, 0x80, 0x7d));
    expect(lines).toEqual(['{"a":1}']);
    expect(discarded).toEqual(["oversize", "invalid_utf8"]);
  });
});
