// The token check of one request: its outcome, and the policy results the audit log records.
import { describe, expect, test } from "bun:test";
import { type Authorization, authorize } from "./authz.ts";
import { createDoubleContext } from "./context.ts";
import { createNamespace } from "./mount-table.ts";
import type { Backend, LogicalRequest, Operation, PolicyResults } from "./types.ts";

const ctx = createDoubleContext({ rootToken: "root" });
const rootNs = createNamespace(ctx, { id: "root", path: "" });
rootNs.policies.set("reader", 'path "kv/*" { capabilities = ["read"] }');
rootNs.policies.set("admin", 'path "kv/admin/*" { capabilities = ["read", "sudo"] }');
const root = ctx.tokens.lookup("root")!;
const reader = ctx.tokens.create(root, { policies: ["reader"] }, rootNs.ns);
const admin = ctx.tokens.create(root, { policies: ["admin", "reader"] }, rootNs.ns);

const backend: Backend = {
  handle: () => ({ status: 204 }),
  rootPaths: ["admin/*"],
  unauthenticatedPaths: ["login"],
};

function request(path: string, operation: Operation, token: string): LogicalRequest {
  return {
    id: "r",
    operation,
    path: `kv/${path}`,
    namespace: rootNs.ns,
    data: undefined,
    query: new URLSearchParams(),
    headers: new Map(),
    clientToken: token,
    token: ctx.tokens.lookup(token),
    remoteAddress: "127.0.0.1",
    remotePort: 1,
    mount: undefined,
    mountSubpath: path,
  };
}

const granted = (...names: string[]): PolicyResults => ({
  allowed: true,
  grantingPolicies: names.map((name) => ({ name, namespaceId: "root" })),
});

describe("authorize", () => {
  test.each<[string, string, Operation, Authorization, string, PolicyResults | undefined]>([
    ["a login without a token", "login", "update", "allowed", "", { allowed: true }],
    ["a login with a token that is not one", "login", "update", "allowed", "hvs.nope", { allowed: true }],
    ["no token elsewhere", "app", "read", "bad-token", "", undefined],
    ["a token that is not one", "app", "read", "bad-token", "hvs.nope", undefined],
    ["a read the policy grants", "app", "read", "allowed", reader.id, granted("reader")],
    ["a write the policy does not grant", "app", "update", "denied", reader.id, { allowed: false }],
    ["a root path without sudo", "admin/x", "read", "denied", reader.id, { allowed: false }],
    ["a root path with sudo", "admin/x", "read", "allowed", admin.id, granted("admin")],
    ["the root token anywhere", "admin/x", "delete", "allowed", "root", granted("root")],
  ])("%s (%s, %s) is %s", (_name, path, operation, outcome, token, results) => {
    const req = request(path, operation, token);
    expect(authorize(ctx, req, backend)).toBe(outcome);
    expect(req.policyResults).toEqual(results);
  });
});
