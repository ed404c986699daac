import { describe, expect, test } from "bun:test";
import { describeRejection, parseAuditLine, REJECT_REASONS } from "../../src/audit/parse.ts";

const line = (value: unknown) => JSON.stringify(value);
const response = (request: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  line({ type: "response", request: { operation: "update", path: "kv/a", ...request }, ...more });

describe("parseAuditLine", () => {
  test("keeps what classification needs and nothing else", () => {
    const parsed = parseAuditLine(
      response(
        {
          namespace: { id: "Lr5pq", path: "team-a/" },
          mount_point: "kv/",
          mount_type: "kv",
          remote_address: "10.0.0.7",
          data: { value: "hmac-sha256:abc" },
          client_token: "hmac-sha256:def",
        },
        { auth: { policies: ["root"] }, response: { data: {} } },
      ),
    );
    expect(parsed).toEqual({
      ok: true,
      entry: {
        type: "response",
        operation: "update",
        path: "kv/a",
        namespace: "team-a/",
        error: false,
        mountPoint: "kv/",
        mountType: "kv",
        remoteAddress: "10.0.0.7",
      },
    });
  });

  test.each([
    ["no namespace (older Vault)", undefined, ""],
    ["the root namespace", { id: "root" }, ""],
    ["the root namespace with an empty path", { id: "root", path: "" }, ""],
    ["a child namespace", { id: "x", path: "team-a/" }, "team-a/"],
    ["a child namespace written without its slash", { id: "x", path: "team-a" }, "team-a/"],
    ["a nested namespace", { id: "y", path: "team-a/dev/" }, "team-a/dev/"],
  ])("reads %s", (_name, namespace, expected) => {
    const parsed = parseAuditLine(response({ namespace }));
    expect(parsed.ok && parsed.entry.namespace).toBe(expected);
  });

  test.each([
    ["no error", {}, false],
    ["a null error", { error: null }, false],
    ["an empty error", { error: "" }, false],
    ["an error", { error: "permission denied" }, true],
  ])("reads %s", (_name, more, expected) => {
    const parsed = parseAuditLine(response({}, more));
    expect(parsed.ok && parsed.entry.error).toBe(expected);
  });

  test("keeps an entry of another type without a request, for classification to ignore", () => {
    expect(parseAuditLine(line({ type: "kmip-response", response: {} }))).toMatchObject({
      ok: true,
      entry: { type: "kmip-response", operation: "", path: "" },
    });
  });

  test.each([
    ["an empty line", "", "invalid_json"],
    ["truncated JSON", '{"type":"response","request":{"operation":"upd', "invalid_json"],
    ["two objects glued together", '{"type":"response"}{"type":"request"}', "invalid_json"],
    ["an array", "[1,2]", "not_an_object"],
    ["a number", "42", "not_an_object"],
    ["null", "null", "not_an_object"],
    ["a string", '"response"', "not_an_object"],
    ["an empty object", "{}", "missing_field"],
    ["a response with no request", line({ type: "response" }), "missing_field"],
    [
      "a response with no path",
      line({ type: "response", request: { operation: "update" } }),
      "missing_field",
    ],
    ["a response with no operation", line({ type: "response", request: { path: "kv/a" } }), "missing_field"],
    ["a numeric type", line({ type: 1, request: {} }), "wrong_type"],
    ["a request that is a string", line({ type: "response", request: "kv/a" }), "wrong_type"],
    ["a request that is an array", line({ type: "response", request: ["kv/a"] }), "wrong_type"],
    ["a numeric operation", response({ operation: 1 }), "wrong_type"],
    ["a path that is an object", response({ path: { p: "kv/a" } }), "wrong_type"],
    ["a namespace that is a string", response({ namespace: "team-a/" }), "wrong_type"],
    ["a namespace path that is a number", response({ namespace: { path: 3 } }), "wrong_type"],
    ["an error that is an object", response({}, { error: { message: "x" } }), "wrong_type"],
    ["a mount_type that is a number", response({ mount_type: 2 }), "wrong_type"],
    ["a remote_address that is an array", response({ remote_address: ["a"] }), "wrong_type"],
    [
      "a jsonx (XML) entry",
      '<json:object><json:string name="type">response</json:string></json:object>',
      "xml_format",
    ],
    ["a jsonx entry after whitespace", '  <json:object name="x"/>', "xml_format"],
  ])("rejects %s", (_name, text, reason) => {
    expect(parseAuditLine(text)).toEqual({ ok: false, reason: reason as never });
  });

  test("rejects a line over the cap before parsing it", () => {
    expect(parseAuditLine(response({ path: `kv/${"a".repeat(2000)}` }), 1000)).toEqual({
      ok: false,
      reason: "too_large",
    });
  });

  test("__proto__ and constructor keys are plain data: nothing is inherited, no prototype changes", () => {
    const forged =
      '{"__proto__":{"type":"response","polluted":true},"constructor":{"prototype":{"polluted":true}},' +
      '"type":"request","request":{"__proto__":{"path":"kv/x"},"operation":"update","path":"kv/a"}}';
    expect(parseAuditLine(forged)).toMatchObject({ ok: true, entry: { type: "request", path: "kv/a" } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const inherited = '{"type":"response","request":{"__proto__":{"path":"kv/x"},"operation":"update"}}';
    expect(parseAuditLine(inherited)).toEqual({ ok: false, reason: "missing_field" });
  });

  test("deep nesting inside an entry is harmless", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const text = `{"type":"response","request":{"operation":"update","path":"kv/a","data":${deep}}}`;
    expect(parseAuditLine(text)).toMatchObject({ ok: true, entry: { path: "kv/a" } });
    expect(parseAuditLine("[".repeat(500_000))).toEqual({ ok: false, reason: "invalid_json" });
  });

  test("every rejection reason has a description", () => {
    for (const reason of REJECT_REASONS) expect(describeRejection(reason).length).toBeGreaterThan(5);
    expect(describeRejection("xml_format")).toContain("format=json");
  });
});
