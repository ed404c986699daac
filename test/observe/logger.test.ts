import { describe, expect, test } from "bun:test";
import { createLogger, createScrubber } from "../../src/observe/logger.ts";
import { captureLogs } from "../support/log-capture.ts";

const FIXED = new Date("2025-03-04T05:06:07.089Z");

function logTo(options: Parameters<typeof createLogger>[0]) {
  const lines: string[] = [];
  const log = createLogger({ now: () => FIXED, write: (line) => lines.push(line), ...options });
  return { log, lines };
}

describe("JSON lines", () => {
  test("one object per line: time, level, msg, then the fields", () => {
    const { log, lines } = logTo({ format: "json" });
    log.info("listening", { address: "udp://127.0.0.1:1269", buffer: 8_388_608 });
    expect(lines).toEqual([
      '{"time":"2025-03-04T05:06:07.089Z","level":"info","msg":"listening","address":"udp://127.0.0.1:1269","buffer":8388608}\n',
    ]);
  });

  test("auto is JSON when the output is not a terminal, pretty when it is", () => {
    const piped = logTo({ format: "auto", isTTY: false });
    piped.log.info("x");
    expect(piped.lines[0]).toStartWith("{");
    const terminal = logTo({ format: "auto", isTTY: true });
    terminal.log.info("x");
    expect(terminal.lines[0]).toContain("INFO");
    expect(terminal.lines[0]).not.toStartWith("{");
  });

  test("errors become their name, message and code; never a stack", () => {
    const { log, lines } = logTo({ format: "json" });
    const error = Object.assign(new Error("connection refused", { cause: new Error("ECONNREFUSED") }), {
      code: "VAULT_UNREACHABLE",
    });
    log.warn("sync failed", { key: "kv secret/app", error });
    const record = JSON.parse(lines[0] as string);
    expect(record.error).toEqual({
      name: "Error",
      message: "connection refused",
      code: "VAULT_UNREACHABLE",
      cause: "ECONNREFUSED",
    });
    expect(lines[0]).not.toContain("at <anonymous>");
  });

  test("fields named like the record's own keys do not overwrite them", () => {
    const { log, lines } = logTo({ format: "json" });
    log.info("real message", { msg: "field", level: "x" });
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      msg: "real message",
      level: "info",
      field_msg: "field",
      field_level: "x",
    });
  });
});

describe("pretty lines", () => {
  test("time, level, message and key=value fields, quoted when they hold spaces", () => {
    const { log, lines } = logTo({ format: "pretty", isTTY: false });
    log.warn("destination down", { destination: "https://dr:8200", why: "connection refused", attempt: 3 });
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.089 WARN {2}destination down destination=https:\/\/dr:8200 why="connection refused" attempt=3\n$/,
    );
  });
});

describe("levels", () => {
  test.each([
    ["error", ["error"]],
    ["warn", ["error", "warn"]],
    ["info", ["error", "warn", "info"]],
    ["debug", ["error", "warn", "info", "debug"]],
    ["trace", ["error", "warn", "info", "debug", "trace"]],
  ] as const)("at %s, the lines written are %p", (level, written) => {
    const { log, lines } = logTo({ format: "json", level });
    for (const at of ["error", "warn", "info", "debug", "trace"] as const) log[at](at);
    expect(lines.map((line) => JSON.parse(line).level)).toEqual([...written]);
    expect(log.enabled("debug")).toBe((written as readonly string[]).includes("debug"));
  });

  test("repeated identical lines are all written (none folded away)", () => {
    const { log, lines } = logTo({ format: "json" });
    for (let i = 0; i < 20; i++) log.warn("udp drops", { count: 1 });
    expect(lines).toHaveLength(20);
  });

  test("a child adds its fields to every line", () => {
    const capture = captureLogs();
    capture.log.child({ component: "listener" }).child({ transport: "udp" }).info("up", { port: 1269 });
    expect(capture.records()[0]).toMatchObject({ component: "listener", transport: "udp", port: 1269 });
  });
});

describe("the redaction guard", () => {
  const registered = "s3cr3t-dest-token";
  const values = {
    serviceToken: "hvs.CAESIJlU4mbDXw1Qo5f5T2WbZgVsQ3y1FakeTokenForTest",
    batchToken: "hvb.AAAAAQKp5rWfFakeBatchTokenValue000000",
    legacyToken: "s.AbCdEfGhIjKlMnOpQrStUvWx",
    hmac: "hmac-sha256:3c9e7e6a1d1a0bcb4b4c9b0ef0f6e4f4b7b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5",
  };

  test.each(["json", "pretty"] as const)(
    "nothing that looks like a token or an HMAC reaches %s output",
    (format) => {
      const capture = captureLogs({ format, secrets: [registered] });
      capture.log.info(`token in the message ${values.serviceToken}`, {
        ...values,
        nested: { deeper: [registered, `prefix-${registered}-suffix`] },
        error: new Error(`denied for ${values.legacyToken}`),
      });
      const text = capture.text();
      for (const value of [...Object.values(values), registered]) expect(text).not.toContain(value);
      expect(text).not.toContain("hmac-sha256:");
      expect(text).toContain("***");
    },
  );

  test("a token registered after start is scrubbed from then on", () => {
    const capture = captureLogs();
    capture.log.info("before", { t: "rotated-token-value" });
    capture.log.addSecret("rotated-token-value");
    capture.log.child({ c: 1 }).info("after", { t: "rotated-token-value" });
    expect(capture.records().map((r) => r.t)).toEqual(["rotated-token-value", "***"]);
  });

  test("a secret with quotes is caught as JSON writes it too", () => {
    const scrubber = createScrubber(['pa"ss\\word']);
    expect(scrubber.scrub(JSON.stringify({ p: 'pa"ss\\word' }))).toBe('{"p":"***"}');
  });

  test("a registered value too short to be a token is not scrubbed everywhere; a dev root token is", () => {
    const scrubber = createScrubber(["ab", "root"]);
    expect(scrubber.scrub("about the root token")).toBe("about the *** token");
  });

  test("a short registered token is scrubbed where it stands alone, not inside a path or a word", () => {
    const scrubber = createScrubber(["root"]);
    const line = JSON.stringify({
      msg: "synced",
      key: "kv secret/rootkey",
      dir: "secret/root/x",
      token: "root",
    });
    expect(JSON.parse(scrubber.scrub(line))).toEqual({
      msg: "synced",
      key: "kv secret/rootkey",
      dir: "secret/root/x",
      token: "***",
    });
    expect(scrubber.scrub("X-Vault-Token: root, uprooted")).toBe("X-Vault-Token: ***, uprooted");
  });

  test("a long registered token is scrubbed wherever it appears, even glued to other text", () => {
    const token = "file-token-0123456789abcdef";
    expect(createScrubber([token]).scrub(`secret/${token}x and a${token}`)).toBe("secret/***x and a***");
  });

  test("ordinary text is left alone", () => {
    const text = 'listening address=udp://127.0.0.1:1269 mount=secret/ key="kv secret/app/db" s.short';
    expect(createScrubber().scrub(text)).toBe(text);
  });
});
