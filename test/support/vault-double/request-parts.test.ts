// How an HTTP request becomes Vault's operation, path and data, and which namespace it lands in.
import { describe, expect, test } from "bun:test";
import { createDoubleContext } from "./context.ts";
import { cleanPathRedirect, logicalParts } from "./logical-request.ts";
import { createNamespace } from "./mount-table.ts";
import { resolveNamespace } from "./namespaces.ts";
import { firstValueEnd, parseBody } from "./request-body.ts";
import type { HttpRequest } from "./types.ts";

function http(method: string, target: string, body = "", headers: Record<string, string> = {}): HttpRequest {
  const [path, query = ""] = target.split("?");
  return {
    method,
    path: path!,
    query: new URLSearchParams(query),
    headers: new Map(Object.entries(headers)),
    body: new TextEncoder().encode(body),
    remoteAddress: "127.0.0.1",
    remotePort: 1,
  };
}

describe("method, path and data of a request", () => {
  test.each([
    ["GET", "/v1/secret/data/a", "", { operation: "read", path: "secret/data/a", data: undefined }],
    [
      "GET",
      "/v1/secret/data/a?version=2",
      "",
      { operation: "read", path: "secret/data/a", data: { version: "2" } },
    ],
    [
      "GET",
      "/v1/secret/metadata?list=true",
      "",
      { operation: "list", path: "secret/metadata/", data: undefined },
    ],
    ["GET", "/v1/kv/x?list=1&a=1&a=2", "", { operation: "list", path: "kv/x/", data: { a: ["1", "2"] } }],
    ["GET", "/v1/kv/x?list=false", "", { operation: "read", path: "kv/x", data: { list: "false" } }],
    ["LIST", "/v1/kv/dir", "", { operation: "list", path: "kv/dir/", data: undefined }],
    ["DELETE", "/v1/kv/x?versions=1", "", { operation: "delete", path: "kv/x", data: { versions: "1" } }],
    ["POST", "/v1/kv/x", '{"a":1}', { operation: "update", path: "kv/x", data: { a: 1 } }],
    ["PUT", "/v1/kv/x?ignored=1", "", { operation: "update", path: "kv/x", data: undefined }],
    ["GET", "/v1/kv/x?help=1", "", { operation: "read", path: "kv/x", data: undefined }],
  ])("%s %s %s → %p", (method, target, body, parts) => {
    expect(logicalParts(http(method, target, body))).toEqual(parts as ReturnType<typeof logicalParts>);
  });

  test("PATCH with the merge-patch type is a patch", () => {
    const req = http("PATCH", "/v1/kv/data/x", '{"data":{}}', {
      "content-type": "application/merge-patch+json; charset=utf-8",
    });
    expect(logicalParts(req)).toEqual({ operation: "patch", path: "kv/data/x", data: { data: {} } });
  });

  test.each([
    ["GET", "/v1/x?list=nope", "", {}, 400, []],
    ["POST", "/v1/x", "{", {}, 400, ["error parsing JSON"]],
    ["PATCH", "/v1/x", "{}", {}, 400, ["mime: no media type"]],
    [
      "PATCH",
      "/v1/x",
      "{}",
      { "content-type": "text/plain" },
      415,
      ["PATCH requires Content-Type of application/merge-patch+json, provided text/plain"],
    ],
    ["OPTIONS", "/v1/x", "", {}, 400, ["cannot handle internal-only request operation"]],
    ["BREW", "/v1/x", "", {}, 405, []],
  ])("%s %s %p %p → %p %p", (method, target, body, headers, status, errors) => {
    expect(logicalParts(http(method, target, body, headers))).toEqual({ status, body: { errors } });
  });
});

describe("request bodies", () => {
  test.each([
    ["", undefined],
    ["   \n", undefined],
    ["null", undefined],
    ['{"a":"b"}', { a: "b" }],
    ['  {"a":1} {"b":2}', { a: 1 }],
    ['{"a":"}"} trailing', { a: "}" }],
  ])("%p → data %p", (text, data) => {
    expect(parseBody(new TextEncoder().encode(text), "application/json")).toEqual({ data });
  });

  test.each(["[1]", '"text"', "42", "{", '{"a":}', "nonsense"])("%p → error parsing JSON", (text) => {
    expect(parseBody(new TextEncoder().encode(text), undefined)).toEqual({ error: "error parsing JSON" });
  });

  test("reads a form when the content type says so and the body does not start like JSON", () => {
    const body = new TextEncoder().encode("a=1&a=2&b=x%20y");
    expect(parseBody(body, "application/x-www-form-urlencoded")).toEqual({ data: { a: "1,2", b: "x y" } });
  });

  test("reads JSON even with the form content type when the body starts like JSON", () => {
    const body = new TextEncoder().encode('{"a":"1"}');
    expect(parseBody(body, "application/x-www-form-urlencoded")).toEqual({ data: { a: "1" } });
  });

  test.each([
    ['{"a":1} x', 0, 7],
    ['["]",1]', 0, 7],
    ['"str" x', 0, 5],
    ['{"a":', 0, undefined],
  ])("firstValueEnd(%p) → %p", (text, start, end) => {
    expect(firstValueEnd(text, start)).toBe(end as number | undefined);
  });
});

describe("clean paths", () => {
  test.each([
    ["/v1/secret/data/a", undefined],
    ["/v1//secret/data/a", "/v1/secret/data/a"],
    ["/v1/secret/./data/a/", "/v1/secret/data/a/"],
    ["/v1/secret/x/../data/a", "/v1/secret/data/a"],
    ["/v1/.well/known", undefined],
  ])("%p redirects to %p", (path, clean) => {
    expect(cleanPathRedirect(path)).toBe(clean as string | undefined);
  });
});

describe("namespace resolution", () => {
  const ctx = createDoubleContext({ rootToken: "root" });
  createNamespace(ctx, { id: "root", path: "" });
  createNamespace(ctx, { id: "aaaaa", path: "team-a/" });
  createNamespace(ctx, { id: "bbbbb", path: "team-a/dev/" });

  test.each([
    [undefined, "secret/data/x", "", "secret/data/x"],
    ["root", "secret/data/x", "", "secret/data/x"],
    ["team-a", "kv/data/x", "team-a/", "kv/data/x"],
    ["/team-a/", "kv/data/x", "team-a/", "kv/data/x"],
    ["team-a", "dev/kv/x", "team-a/dev/", "kv/x"],
    ["team-a/dev", "sys/mounts", "team-a/dev/", "sys/mounts"],
    [undefined, "team-a/kv/x", "team-a/", "kv/x"],
  ])("header %p, path %p → namespace %p, path %p", (header, path, nsPath, rest) => {
    const resolved = resolveNamespace(ctx.state, header, path);
    expect(resolved?.nsState.ns.path).toBe(nsPath);
    expect(resolved?.path).toBe(rest);
  });

  test("an X-Vault-Namespace that names no namespace resolves to nothing", () => {
    expect(resolveNamespace(ctx.state, "team-b", "kv/x")).toBeUndefined();
  });
});
