// The AppRole auth method: roles, their role_id and secret_ids, and login, with the fields and
// answers of Vault's builtin/credential/approle.
import {
  invalidRequest,
  listResponse,
  NO_CONTENT,
  notFound,
  ok,
  unsupportedPath,
} from "../backends/respond.ts";
import type { DoubleContext } from "../context.ts";
import { DoubleHttpError } from "../errors.ts";
import type { Backend, LogicalRequest, LogicalResponse, MountEntry, TokenEntry } from "../types.ts";
import { type Role, readRole, roleData } from "./approle-role.ts";
import { httpAuth } from "./token-fields.ts";

interface SecretId {
  accessor: string;
  /** Unix ms; 0 = never. */
  expiresAt: number;
  /** 0 = unlimited. */
  usesLeft: number;
}

export function approleBackend(ctx: DoubleContext, mount: MountEntry): Backend {
  const store = mount.storage;
  const roleKey = (name: string) => `role/${name.toLowerCase()}`;
  const getRole = (name: string) => store.get(roleKey(name)) as Role | undefined;
  const secrets = (role: Role) => {
    const key = `secret-ids/${role.name.toLowerCase()}`;
    let map = store.get(key) as Map<string, SecretId> | undefined;
    if (!map) {
      map = new Map();
      store.set(key, map);
    }
    return map;
  };

  const handlers = {
    role(req: LogicalRequest, name: string): LogicalResponse {
      const existing = getRole(name);
      if (req.operation === "read") return existing ? ok(roleData(existing)) : notFound();
      if (req.operation === "delete") {
        if (existing) {
          store.delete(`roleid/${existing.roleId}`);
          store.delete(roleKey(name));
        }
        return NO_CONTENT;
      }
      const role = readRole(name, req.data ?? {}, existing);
      if (existing && existing.roleId !== role.roleId) store.delete(`roleid/${existing.roleId}`);
      store.set(roleKey(name), role);
      store.set(`roleid/${role.roleId}`, role.name.toLowerCase());
      return NO_CONTENT;
    },
    roleId(req: LogicalRequest, role: Role): LogicalResponse {
      if (req.operation === "read") return ok({ role_id: role.roleId });
      const roleId = String(req.data?.role_id ?? "");
      if (roleId === "") return invalidRequest("missing role_id");
      store.delete(`roleid/${role.roleId}`);
      role.roleId = roleId;
      store.set(`roleid/${roleId}`, role.name.toLowerCase());
      return NO_CONTENT;
    },
    secretId(req: LogicalRequest, role: Role): LogicalResponse {
      const held = secrets(role);
      if (req.operation === "list") return listResponse([...held.values()].map((s) => s.accessor).sort());
      const secretId = crypto.randomUUID();
      const accessor = crypto.randomUUID();
      const expiresAt = role.secretIdTtl > 0 ? ctx.now() + role.secretIdTtl * 1000 : 0;
      held.set(secretId, { accessor, expiresAt, usesLeft: role.secretIdNumUses });
      return ok({
        secret_id: secretId,
        secret_id_accessor: accessor,
        secret_id_num_uses: role.secretIdNumUses,
        secret_id_ttl: role.secretIdTtl,
      });
    },
    login(req: LogicalRequest): LogicalResponse {
      const roleId = String(req.data?.role_id ?? "").trim();
      if (roleId === "") return { status: 400, errors: ["missing role_id"] };
      const name = store.get(`roleid/${roleId}`) as string | undefined;
      const role = name === undefined ? undefined : getRole(name);
      if (!role) return invalidCredentials();
      if (role.bindSecretId) {
        const secretId = String(req.data?.secret_id ?? "").trim();
        if (secretId === "") return { status: 400, errors: ["missing secret_id"] };
        if (!spendSecretId(secrets(role), secretId, ctx.now())) return invalidCredentials();
      }
      const token = issueToken(ctx, req, role);
      return { status: 200, data: null, auth: httpAuth(token, token.ttl) };
    },
  };

  return {
    unauthenticatedPaths: ["login"],
    exists(req) {
      const m = /^role\/([^/]+)$/.exec(req.mountSubpath);
      return m ? getRole(m[1] as string) !== undefined : undefined;
    },
    handle(req) {
      try {
        return dispatch(req);
      } catch (err) {
        if (err instanceof DoubleHttpError && err.status === 400) return invalidRequest(err.message);
        throw err;
      }
    },
  };

  function dispatch(req: LogicalRequest): LogicalResponse {
    const path = req.mountSubpath;
    const op = req.operation;
    const write = op === "create" || op === "update";
    if (path === "login" && write) return handlers.login(req);
    if ((path === "role" || path === "role/") && op === "list") {
      const names = [...store.values()].filter(isRole).map((r) => r.name);
      return listResponse(names.sort());
    }
    const m = /^role\/([^/]+)(?:\/(role-id|secret-id\/?))?$/.exec(path);
    if (!m) return unsupportedPath();
    const name = m[1] as string;
    if (m[2] === undefined) return handlers.role(req, name);
    const role = getRole(name);
    if (!role) return invalidRequest(`role "${name}" does not exist`);
    if (m[2] === "role-id" && (op === "read" || write)) return handlers.roleId(req, role);
    if (m[2].startsWith("secret-id") && (write || op === "list")) return handlers.secretId(req, role);
    return unsupportedPath();
  }
}

// Vault answers unknown role and secret IDs alike, with logical.ErrInvalidCredentials (400).
function invalidCredentials(): LogicalResponse {
  return { status: 400, errors: ["invalid role or secret ID"], error: "invalid credentials" };
}

function spendSecretId(held: Map<string, SecretId>, secretId: string, now: number): boolean {
  const entry = held.get(secretId);
  if (!entry) return false;
  if (entry.expiresAt !== 0 && now >= entry.expiresAt) {
    held.delete(secretId);
    return false;
  }
  if (entry.usesLeft > 0) {
    entry.usesLeft -= 1;
    if (entry.usesLeft === 0) held.delete(secretId);
  }
  return true;
}

function issueToken(ctx: DoubleContext, req: LogicalRequest, role: Role): TokenEntry {
  const policies = [
    ...new Set([...role.tokenPolicies, ...(role.tokenNoDefaultPolicy ? [] : ["default"])]),
  ].sort();
  const issuer = ctx.tokens.lookup(ctx.rootToken) as TokenEntry;
  const mountMax = req.mount?.config.max_lease_ttl ?? 0;
  const maxTtl =
    role.tokenMaxTtl > 0 && (mountMax === 0 || role.tokenMaxTtl < mountMax) ? role.tokenMaxTtl : mountMax;
  return ctx.tokens.create(
    { ...issuer, ttl: 0, numUses: 0, type: "service" },
    {
      ttl: role.tokenTtl,
      period: role.tokenPeriod,
      explicit_max_ttl: role.tokenExplicitMaxTtl,
      num_uses: role.tokenNumUses,
      meta: { role_name: role.name },
      type: role.tokenType === "batch" ? "batch" : "service",
    },
    req.namespace,
    {
      sudo: true,
      orphan: true,
      fixedPolicies: policies,
      displayName: "approle",
      path: `${req.mount?.path ?? "auth/approle/"}login`,
      mountMaxTtl: maxTtl,
      mountDefaultTtl: req.mount?.config.default_lease_ttl ?? 0,
    },
  );
}

function isRole(value: unknown): value is Role {
  return typeof value === "object" && value !== null && "roleId" in value && "bindSecretId" in value;
}
