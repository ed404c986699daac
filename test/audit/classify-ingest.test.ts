import { describe, expect, test } from "bun:test";
import { ingestLine, isPlainReadEntry, isPlainRequestEntry } from "../../src/audit/classify.ts";
import { createIngestCounters, type IngestCounters } from "../../src/audit/counters.ts";
import { createDatagramFramer } from "../../src/audit/framer.ts";
import { compileScope } from "../../src/audit/scope.ts";
import { fixtureLines, fixtureMountTable } from "./fixtures.ts";
import { randomInt, seeded } from "./random.ts";

const mounts = fixtureMountTable();
const scope = compileScope();

function total(counters: IngestCounters): number {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return (
    counters.accepted +
    sum(counters.ignored) +
    sum(counters.rejected) +
    counters.mountRefreshes +
    counters.unknownMounts +
    counters.oversize
  );
}

describe("ingestLine", () => {
  test("counts a key as accepted, a rejection by reason, an ignore by reason", () => {
    const counters = createIngestCounters();
    const context = { mounts, scope, counters };
    expect(ingestLine('{"type":"response","request":{"operation":"delete","path":"kv/a"}}', context)).toEqual(
      { action: "sync", key: { kind: "kv", namespace: "", mount: "kv/", path: "a" } },
    );
    expect(ingestLine("not json", context)).toBeUndefined();
    expect(ingestLine('{"type":"response","request":{"operation":"read","path":"kv/a"}}', context)).toEqual({
      action: "ignore",
      reason: "not_a_write",
    });
    ingestLine('{"type":"response","request":{"operation":"update","path":"nomount/a"}}', context);
    expect(counters.accepted).toBe(1);
    expect(counters.rejected.invalid_json).toBe(1);
    expect(counters.ignored.not_a_write).toBe(1);
    expect(counters.unknownMounts).toBe(1);
  });

  test.each([
    ['{"time":"t","type":"request","request":{"path":"kv/a"}}', true],
    ['{"type":"response","request":{"path":"kv/a"},"response":{}}', false],
    ['{"type":"request","request":{"path":"kv/a","data":{"x":"response"}}}', false],
    ['{"type": "request"}', false],
  ])("takes the request shortcut for %s: %p", (line, expected) => {
    expect(isPlainRequestEntry(line)).toBe(expected);
  });

  // Vault's own shape: keys sorted, compact, type last.
  const response = (request: string, extra = "") =>
    `{"auth":{"client_token":"hmac-sha256:aa","metadata":{${extra}}},"request":{${request}},"response":{"data":{"v":"hmac-sha256:bb"}},"time":"t","type":"response"}`;

  test.each([
    [response('"id":"1","operation":"read","path":"secret/data/app"'), true],
    [response('"operation":"list","path":"secret/metadata/"'), true],
    [response('"operation":"update","path":"secret/data/app"'), false],
    [response('"operation":"readx","path":"secret/data/app"'), false],
    // A token's metadata names an operation of its own: the line is parsed, never taken on its word.
    [response('"operation":"update","path":"secret/data/app"', '"operation":"read"'), false],
    // A failed read is counted as failed, as classify does.
    [
      `${response('"operation":"read","path":"secret/data/app"').slice(0, -1).replace('"auth"', '"error":"denied","auth"')}}`,
      false,
    ],
    // Vault's and OpenBao's usual order: time, then type.
    [
      '{"time":"2026-12-02T13:11:17.6Z","type":"response","request":{"operation":"read","path":"kv/a"}}',
      true,
    ],
    [
      '{"time":"2026-12-02T13:11:17.6Z","type":"request","request":{"operation":"read","path":"kv/a"}}',
      false,
    ],
    ['{"type":"response","request":{"operation":"read","path":"kv/a"}}', false],
  ])("takes the read shortcut for %s: %p", (line, expected) => {
    expect(isPlainReadEntry(line)).toBe(expected);
  });

  test("a write whose token metadata says read is synced; a read is counted as not a write either way", () => {
    const counters = createIngestCounters();
    const context = { mounts, scope, counters };
    expect(ingestLine(response('"operation":"update","path":"kv/a"', '"operation":"read"'), context)).toEqual(
      {
        action: "sync",
        key: { kind: "kv", namespace: "", mount: "kv/", path: "a" },
      },
    );
    expect(ingestLine(response('"operation":"read","path":"kv/a"'), context)).toEqual({
      action: "ignore",
      reason: "not_a_write",
    });
    expect(ingestLine(response('"operation":"read","path":"kv/a"', '"operation":"x"'), context)).toEqual({
      action: "ignore",
      reason: "not_a_write",
    });
    expect(counters.accepted).toBe(1);
    expect(counters.ignored.not_a_write).toBe(2);
  });

  test("the shortcut cannot hide a response entry that mentions a nested request type", () => {
    const line =
      '{"type":"response","request":{"operation":"update","path":"kv/a","data":{"x":{"type":"request"}}}}';
    const counters = createIngestCounters();
    expect(ingestLine(line, { mounts, scope, counters })).toEqual({
      action: "sync",
      key: { kind: "kv", namespace: "", mount: "kv/", path: "a" },
    });
  });
});

const DEEP = new TextEncoder().encode(`{"type":"response","request":${"[".repeat(5_000)}`);
const HUGE = new TextEncoder().encode(`{"type":"response","x":"${"a".repeat(70_000)}"}`);

/** Lines from the fixtures, damaged in the ways a hostile or broken sender might. */
function hostileInput(random: () => number, lines: string[]): Uint8Array {
  const base = lines[randomInt(random, lines.length)]!;
  const bytes = new TextEncoder().encode(base);
  switch (randomInt(random, 9)) {
    case 0: // random bytes
      return Uint8Array.from({ length: 1 + randomInt(random, 300) }, () => randomInt(random, 256));
    case 1: // truncated
      return bytes.subarray(0, randomInt(random, bytes.length));
    case 2: {
      // flipped bytes, often breaking UTF-8 or JSON
      const copy = bytes.slice();
      for (let i = 0; i < 1 + randomInt(random, 5); i++)
        copy[randomInt(random, copy.length)] = randomInt(random, 256);
      return copy;
    }
    case 3: // deep nesting
      return DEEP;
    case 4: {
      // a field of the wrong type
      const value = JSON.parse(base) as Record<string, Record<string, unknown>>;
      const wrong = [1, true, null, [], {}, "x"][randomInt(random, 6)];
      const field = ["operation", "path", "namespace", "mount_type", "remote_address"][randomInt(random, 5)]!;
      if (value.request) value.request[field] = wrong;
      return new TextEncoder().encode(JSON.stringify(value));
    }
    case 5: // prototype keys
      return new TextEncoder().encode(base.replace('"request":', '"__proto__":{"polluted":1},"request":'));
    case 6: // a huge string
      return HUGE;
    case 7: // a forged path
      return new TextEncoder().encode(
        `{"type":"response","request":{"operation":"delete","path":"${["sys/mounts/secret", "auth/token/create", "cubbyhole/x", "kv/../sys/policy/root"][randomInt(random, 4)]}"}}`,
      );
    default:
      return bytes;
  }
}

describe("hostile input through framing, parsing and classification", () => {
  test("20,000 seeded inputs: nothing throws and every one is counted exactly once", () => {
    const random = seeded(8);
    const lines = fixtureLines()
      .map((l) => l.line)
      .filter((l) => l.startsWith("{"));
    const counters = createIngestCounters();
    const context = { mounts, scope, counters };
    let blank = 0;
    const frame = createDatagramFramer({
      maxLineBytes: 64 * 1024,
      onLine: (line) => ingestLine(line, context),
      onDiscard: (reason) => {
        if (reason === "oversize") counters.oversize++;
        else counters.rejected[reason]++;
      },
    });
    const inputs = 20_000;
    for (let i = 0; i < inputs; i++) {
      const input = hostileInput(random, lines);
      const end = input.at(-1) === 10 ? input.length - 1 : input.length;
      if (end === 0) blank++;
      frame(input);
    }
    expect(total(counters) + blank).toBe(inputs);
    expect(counters.oversize).toBeGreaterThan(0);
    expect(counters.rejected.invalid_utf8).toBeGreaterThan(0);
    expect(counters.rejected.invalid_json).toBeGreaterThan(0);
    expect(counters.rejected.wrong_type).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
