// The double's audit entries have the shape real Vault's have: each real line in the
// fixtures is matched with the double's entry for the same kind of request.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { lookupData } from "../auth/token-fields.ts";
import { TokenStore } from "../auth/token-store.ts";
import type { LogicalRequest, LogicalResponse, MountEntry, Operation, TokenEntry } from "../types.ts";
import { encodeEntry } from "./encode.ts";
import { type FormatPolicy, requestEntry, responseEntry, testEntry } from "./entry.ts";
import { hasher } from "./hmac.ts";
import { multiErrorText } from "./multierror.ts";
import { keyOrders, missingFrom, shapeOf } from "./shape.ts";

const REAL = join(import.meta.dir, "../../../fixtures/vault-audit/real");
const hash = hasher(new TextEncoder().encode("test-key"));
const policy: FormatPolicy = { raw: false, hmacAccessor: true, elideListResponses: false };
const now = Date.parse("2025-06-04T20:02:46.117Z");

function mount(path: string, type: string, mountClass: "secret" | "auth" = "secret"): MountEntry {
  return {
    path,
    type,
    description: "",
    accessor: `${type}_d43d387d`,
    uuid: crypto.randomUUID(),
    mountClass,
    options: type === "kv" ? { version: "2" } : {},
    config: { default_lease_ttl: 0, max_lease_ttl: 0 },
    local: false,
    sealWrap: false,
    storage: new Map(),
  };
}

const store = new TokenStore({ rootTokenId: "root", now: () => now });
const root = store.lookup("root") as TokenEntry;

/** A token like a userpass login's: entity, metadata, policies. */
function userToken(): TokenEntry {
  const t = store.create(root, { policies: ["default", "lab-user"], ttl: "768h" }, root.namespace);
  return {
    ...t,
    displayName: "userpass-alice",
    entityId: "62ff123b-7609-1ed9-5707-ea621da72de7",
    meta: { username: "alice" },
  };
}

function request(over: Partial<LogicalRequest> & { operation: Operation; path: string }): LogicalRequest {
  const token = "token" in over ? over.token : userToken();
  return {
    id: crypto.randomUUID(),
    namespace: { id: "root", path: "" },
    data: undefined,
    query: new URLSearchParams(),
    headers: new Map([["user-agent", "Go-http-client/1.1"]]),
    clientToken: token?.id ?? "hvs.unknown",
    remoteAddress: "127.0.0.1",
    remotePort: 51234,
    mount: undefined,
    mountSubpath: "",
    policyResults: token
      ? { allowed: true, grantingPolicies: [{ name: "default", namespaceId: "root" }] }
      : undefined,
    ...over,
    token,
  };
}

/** Both entries as a device would write them, parsed back from their bytes. */
function entries(
  req: LogicalRequest,
  resp: LogicalResponse,
  errors: { request?: string; response?: string } = {},
) {
  const lookup = (id: string) => store.lookup(id);
  const line = (e: Record<string, unknown>) =>
    JSON.parse(new TextDecoder().decode(encodeEntry(e, "json", "")));
  return [
    line(requestEntry(req, errors.request, now, hash, policy)),
    line(responseEntry(req, resp, errors.response, now, hash, policy, lookup)),
  ];
}

function realLines(file: string): Record<string, unknown>[] {
  const text = readFileSync(join(REAL, file), "utf8");
  if (file.endsWith(".json")) return [JSON.parse(text)];
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

const kvMount = mount("kv-v2/", "kv");
const cases: [string, () => Record<string, unknown>[]][] = [
  [
    "vg-kv1-create.jsonl",
    () =>
      entries(
        request({
          operation: "create",
          path: "kv/lab/a",
          mount: mount("kv/", "kv"),
          data: { "my-value": "s3cret" },
        }),
        { status: 204 },
      ),
  ],
  [
    "vg-kv1-update.jsonl",
    () =>
      entries(
        request({
          operation: "update",
          path: "kv/lab/a",
          mount: mount("kv/", "kv"),
          data: { "my-value": "s3cret" },
        }),
        { status: 204 },
      ),
  ],
  [
    "vg-kv1-delete.jsonl",
    () => entries(request({ operation: "delete", path: "kv/a", mount: mount("kv/", "kv") }), { status: 204 }),
  ],
  [
    "vg-kv2-data-create.jsonl",
    () =>
      entries(
        request({
          operation: "create",
          path: "kv-v2/data/a",
          mount: kvMount,
          data: { data: { "my-value": "x" }, options: {} },
        }),
        {
          status: 200,
          data: {
            created_time: "2025-06-04T20:02:46.117Z",
            custom_metadata: null,
            deletion_time: "",
            destroyed: false,
            version: 1,
          },
        },
      ),
  ],
  [
    "vg-kv2-data-update.jsonl",
    () =>
      entries(
        request({
          operation: "update",
          path: "kv-v2/data/a",
          mount: kvMount,
          data: { data: { "my-value": "x" }, options: {} },
        }),
        {
          status: 200,
          data: {
            created_time: "2025-06-04T20:02:46.117Z",
            custom_metadata: null,
            deletion_time: "",
            destroyed: false,
            version: 2,
          },
        },
      ),
  ],
  [
    "vg-kv2-metadata-list.jsonl",
    () =>
      entries(request({ operation: "list", path: "kv-v2/metadata/", mount: kvMount }), {
        status: 200,
        data: { keys: ["a", "b/"] },
      }),
  ],
  [
    "vg-policies-acl-update.jsonl",
    () =>
      entries(
        request({
          operation: "update",
          path: "sys/policies/acl/admins",
          mount: mount("sys/", "system"),
          data: { policy: "path…" },
        }),
        {
          status: 204,
        },
      ),
  ],
  [
    "vg-sys-mounts-enable-kv.jsonl",
    () =>
      entries(
        request({
          operation: "update",
          path: "sys/mounts/kv",
          mount: mount("sys/", "system"),
          data: {
            config: { default_lease_ttl: "0s", force_no_cache: false, max_lease_ttl: "0s", options: null },
            description: "",
            external_entropy_access: false,
            local: false,
            options: { version: "2" },
            seal_wrap: false,
            type: "kv",
          },
        }),
        { status: 204 },
      ),
  ],
  [
    "vg-permission-denied-sys-mounts-read.jsonl",
    () =>
      entries(
        request({ operation: "read", path: "sys/mounts", mount: mount("sys/", "system"), token: undefined }),
        { status: 403, errors: ["permission denied"] },
        { request: "permission denied", response: multiErrorText(["permission denied"]) },
      ),
  ],
  [
    "elastic-permission-denied-pki-update.jsonl",
    () =>
      entries(
        request({
          operation: "update",
          path: "internal-ca/issue/internal-server",
          mount: mount("internal-ca/", "pki"),
          token: undefined,
          data: { alt_names: "a", common_name: "b", ip_sans: "c" },
        }),
        { status: 403, errors: ["permission denied"] },
        { request: "permission denied", response: multiErrorText(["permission denied"]) },
      ),
  ],
  [
    "elastic-kv2-data-read.jsonl",
    () =>
      entries(request({ operation: "read", path: "secret/data/apps/x", mount: mount("secret/", "kv") }), {
        status: 200,
        data: {
          data: { customer_key: "k" },
          metadata: {
            created_time: "t",
            custom_metadata: null,
            deletion_time: "",
            destroyed: false,
            version: 1,
          },
        },
      }),
  ],
];

describe("audit entries have the shape real Vault writes", () => {
  test.each(cases)(
    "%s: every key of the real line is in the double's entry, with the same kind of value",
    (file, make) => {
      const real = realLines(file);
      const double = make();
      expect(double.length).toBe(real.length);
      real.forEach((line, i) => {
        expect(missingFrom(shapeOf(line), shapeOf(double[i]))).toEqual([]);
      });
    },
  );

  test("a token lookup-self matches Vault 1.19's documented entries key for key, in the same order", () => {
    const token = userToken();
    const req = request({
      operation: "read",
      path: "auth/token/lookup-self",
      mount: mount("auth/token/", "token", "auth"),
      token,
      clientToken: token.id,
    });
    const resp: LogicalResponse = { status: 200, data: lookupData(token, store, now) };
    const [reqEntry, respEntry] = entries(req, resp);
    const [realReq] = realLines("docs-schema-token-lookup-self-request.json");
    const [realResp] = realLines("docs-schema-token-lookup-self-response.json");
    for (const [real, double] of [
      [realReq, reqEntry],
      [realResp, respEntry],
    ]) {
      expect(missingFrom(shapeOf(real), shapeOf(double))).toEqual([]);
      expect(missingFrom(shapeOf(double), shapeOf(real))).toEqual([]);
      const realOrder = keyOrders(real);
      const doubleOrder = keyOrders(double);
      // granting_policies' first element ({"type":""}) has no counterpart in the double.
      for (const [path, keys] of realOrder) {
        if (path.startsWith("auth.policy_results.granting_policies")) continue;
        expect({ path, keys: doubleOrder.get(path) }).toEqual({ path, keys });
      }
    }
  });

  test("the policy text a legacy client sends as `rules` is HMAC'd like `policy` (issue 14149)", () => {
    const fragment = readFileSync(join(REAL, "issue-14149-sys-policies-acl-update-FRAGMENT.txt"), "utf8");
    const realRequest = JSON.parse(`{${fragment.slice(0, fragment.indexOf(',"response"'))}}`).request;
    const [entry] = entries(
      request({
        operation: "update",
        path: "sys/policies/acl/cd",
        mount: mount("sys/", "system"),
        data: { rules: "path…" },
      }),
      { status: 204 },
    );
    expect(missingFrom(shapeOf(realRequest), shapeOf(entry.request))).toEqual([]);
  });

  test("every real fixture file is covered by a case here (or is the one of another type)", () => {
    const covered = new Set([...cases.map(([f]) => f), "docs-schema-token-lookup-self-request.json"]);
    const rest = readdirSync(REAL).filter((f) => !covered.has(f));
    expect(rest.sort()).toEqual([
      "docs-schema-token-lookup-self-response.json",
      "elastic-kmip-response-other-type.jsonl",
      "issue-14149-sys-policies-acl-update-FRAGMENT.txt",
    ]);
  });
});

describe("what the entries say", () => {
  test("time and type come last, after the other top-level keys in alphabetical order", () => {
    const [req, resp] = entries(
      request({ operation: "read", path: "sys/mounts", mount: mount("sys/", "system") }),
      { status: 200 },
    );
    expect(Object.keys(req)).toEqual(["auth", "request", "time", "type"]);
    expect(Object.keys(resp)).toEqual(["auth", "request", "response", "time", "type"]);
    expect(req.type).toBe("request");
    expect(resp.type).toBe("response");
  });

  test("strings in request data are HMAC'd at any depth; numbers a client sent are HMAC'd as text; bools and null stay", () => {
    const [entry] = entries(
      request({
        operation: "update",
        path: "secret/delete/app",
        mount: mount("secret/", "kv"),
        data: { versions: [1, 2], nested: { a: ["x"], on: true, off: null } },
      }),
      { status: 204 },
    );
    expect(entry.request.data).toEqual({
      nested: { a: [hash("x")], off: null, on: true },
      versions: [hash("1"), hash("2")],
    });
  });

  test("numbers a backend answers with stay plain in response data", () => {
    const [, entry] = entries(request({ operation: "read", path: "secret/data/a", mount: kvMount }), {
      status: 200,
      data: { data: { k: "v" }, metadata: { version: 3, destroyed: false } },
    });
    expect(entry.response.data).toEqual({
      data: { k: hash("v") },
      metadata: { destroyed: false, version: 3 },
    });
  });

  test("a write's request entry names the mount accessor (the existence check routed it), a read's does not", () => {
    const [writeReq, writeResp] = entries(
      request({ operation: "update", path: "kv-v2/data/a", mount: kvMount }),
      { status: 204 },
    );
    const [readReq, readResp] = entries(
      request({ operation: "read", path: "kv-v2/data/a", mount: kvMount }),
      { status: 404 },
    );
    expect(writeReq.request.mount_accessor).toBe("kv_d43d387d");
    expect(readReq.request.mount_accessor).toBeUndefined();
    expect(writeResp.request.mount_accessor).toBe("kv_d43d387d");
    expect(readResp.response.mount_accessor).toBe("kv_d43d387d");
  });

  test("a namespaced request carries the namespace id and path, and a mount point under it", () => {
    const [entry] = entries(
      request({
        operation: "create",
        path: "secret/data/a",
        mount: mount("secret/", "kv"),
        namespace: { id: "Lr5pq", path: "team-a/" },
      }),
      { status: 200 },
    );
    expect(entry.request.namespace).toEqual({ id: "Lr5pq", path: "team-a/" });
    expect(entry.request.path).toBe("secret/data/a");
    expect(entry.request.mount_point).toBe("team-a/secret/");
  });

  test("the probe written when a device is enabled is an update of sys/audit/test with no token", () => {
    const probe = testEntry("79cc9b26-488f-eabf-2a97-303ed3bef0d6", { id: "root", path: "" }, now);
    expect(JSON.parse(new TextDecoder().decode(encodeEntry(probe, "json", "")))).toEqual({
      auth: { token_type: "default" },
      request: {
        id: "79cc9b26-488f-eabf-2a97-303ed3bef0d6",
        namespace: { id: "root" },
        operation: "update",
        path: "sys/audit/test",
      },
      time: "2025-06-04T20:02:46.117Z",
      type: "request",
    });
  });

  test("the token and every secret appear only as HMACs: no plaintext in the written bytes", () => {
    const token = userToken();
    const req = request({
      operation: "create",
      path: "secret/data/a",
      mount: kvMount,
      token,
      clientToken: token.id,
      data: { data: { password: "hunter2-plaintext" } },
    });
    const bytes = [
      encodeEntry(requestEntry(req, undefined, now, hash, policy), "json", ""),
      encodeEntry(
        responseEntry(
          req,
          { status: 200, data: { note: "also-secret" } },
          undefined,
          now,
          hash,
          policy,
          () => undefined,
        ),
        "json",
        "",
      ),
    ]
      .map((b) => new TextDecoder().decode(b))
      .join("");
    for (const secret of [token.id, token.accessor, "hunter2-plaintext", "also-secret"])
      expect(bytes).not.toContain(secret);
    expect(bytes).toContain(hash(token.id));
    expect(bytes).toContain(hash("hunter2-plaintext"));
  });

  test("log_raw writes values in the clear and hmac_accessor=false leaves accessors plain", () => {
    const token = userToken();
    const req = request({
      operation: "update",
      path: "kv/a",
      mount: mount("kv/", "kv"),
      token,
      clientToken: token.id,
      data: { k: "v" },
    });
    const raw = requestEntry(req, undefined, now, hash, { ...policy, raw: true });
    const plainAccessor = requestEntry(req, undefined, now, hash, { ...policy, hmacAccessor: false });
    expect((raw.request as Record<string, unknown>).data).toEqual({ k: "v" });
    expect((raw.auth as Record<string, unknown>).client_token).toBe(token.id);
    expect((plainAccessor.auth as Record<string, unknown>).accessor).toBe(token.accessor);
    expect((plainAccessor.auth as Record<string, unknown>).client_token).toBe(hash(token.id));
  });

  test("a backend's error answer is audited as data.error, HMAC'd, with the core error in `error`", () => {
    const [, entry] = entries(
      request({ operation: "update", path: "kv-v2/data/a", mount: kvMount }),
      {
        status: 400,
        errors: ["check-and-set parameter did not match the current version"],
        error: "invalid request",
      },
      { response: multiErrorText(["invalid request"]) },
    );
    expect(entry.response.data).toEqual({
      error: hash("check-and-set parameter did not match the current version"),
    });
    expect(entry.error).toBe("1 error occurred:\n\t* invalid request\n\n");
  });

  test("a raw response is audited as its content type, body text and status code; no body, no body text", () => {
    const body = '{"request_id":"r","data":null}';
    const [, withBody] = entries(request({ operation: "read", path: "kv-v2/data/a", mount: kvMount }), {
      status: 404,
      raw: body,
    });
    const [, empty] = entries(request({ operation: "patch", path: "kv-v2/data/a", mount: kvMount }), {
      status: 404,
      raw: "",
    });
    expect(withBody.response.data).toEqual({
      http_content_type: hash("application/json"),
      http_raw_body: hash(body),
      http_status_code: 404,
    });
    expect(empty.response.data).toEqual({
      http_content_type: hash("application/json"),
      http_status_code: 404,
    });
  });

  test("remaining_uses is the count the token had before this request used it", () => {
    const token = { ...userToken(), numUses: -1 };
    const [entry] = entries(
      request({ operation: "read", path: "kv/a", token, clientToken: token.id, clientTokenRemainingUses: 1 }),
      { status: 200 },
    );
    expect(entry.auth.remaining_uses).toBe(1);
  });

  test("JSON is escaped the way Go escapes it (<, >, & as \\u escapes) and ends with one newline", () => {
    const text = new TextDecoder().decode(encodeEntry({ a: "<b>&", t: "x" }, "json", "p:"));
    expect(text).toBe('p:{"a":"\\u003cb\\u003e\\u0026","t":"x"}\n');
  });

  test("jsonx writes XML elements with sorted names and no newline", () => {
    const text = new TextDecoder().decode(
      encodeEntry({ type: "request", n: 1, ok: true, list: ["a"], o: { z: null } }, "jsonx", ""),
    );
    expect(text).toBe(
      '<json:array name="list"><json:string>a</json:string></json:array><json:number name="n">1</json:number>' +
        '<json:object name="o"><json:null name="z" /></json:object><json:boolean name="ok">true</json:boolean>' +
        '<json:string name="type">request</json:string>',
    );
  });
});
