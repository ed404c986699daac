// Audit entries shaped like the ones Vault writes (keys sorted, HMAC'd values, a request and a
// response), with every field Courier reads open to replacement. The fuzz generators start from
// these and break them in one way at a time.

/** The fields classification reads, and the extras that make an entry look real. */
export interface EntryParts {
  type?: unknown;
  operation?: unknown;
  path?: unknown;
  /** The whole request.namespace value; default {id:"root"}. */
  namespace?: unknown;
  error?: unknown;
  mountPoint?: unknown;
  mountType?: unknown;
  remoteAddress?: unknown;
  /** request.data; default a HMAC'd KV v2 body. */
  data?: unknown;
  /** Replaces request itself (for wrong types and missing requests). */
  request?: unknown;
}

/** A field left out of the entry altogether, rather than written as null. */
export const ABSENT = Symbol("absent");

const HMAC = "hmac-sha256:4c7a3c51a0b1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5";

/**
 * responseEntry({operation:"update", path:"secret/data/app"})
 *   → {auth:{…}, request:{…, operation:"update", path:"secret/data/app"}, response:{…}, time:"…", type:"response"}
 */
export function responseEntry(parts: EntryParts): Record<string, unknown> {
  const request =
    parts.request !== undefined
      ? parts.request
      : pick({
          client_token: HMAC,
          client_token_accessor: HMAC,
          data: parts.data ?? { data: { password: HMAC }, options: { cas: 0 } },
          headers: {},
          id: "8f8e3c1a-0b0e-4b7e-9a35-1f54c7e0c9a1",
          mount_accessor: "kv_4d2f0a77",
          mount_point: parts.mountPoint ?? "secret/",
          mount_type: parts.mountType ?? "kv",
          namespace: parts.namespace ?? { id: "root" },
          operation: parts.operation ?? "update",
          path: parts.path ?? "secret/data/app/db",
          remote_address: parts.remoteAddress ?? "127.0.0.1",
          remote_port: 51514,
        });
  return pick({
    auth: {
      accessor: HMAC,
      client_token: HMAC,
      display_name: "token",
      policies: ["root"],
      token_policies: ["root"],
      token_type: "service",
    },
    error: parts.error ?? ABSENT,
    request,
    response: { mount_accessor: "kv_4d2f0a77", mount_point: "secret/", mount_type: "kv" },
    time: "2025-05-01T12:00:00.123456789Z",
    type: parts.type ?? "response",
  });
}

/** The line Vault would write for these parts. */
export function entryLine(parts: EntryParts): string {
  return JSON.stringify(responseEntry(parts));
}

/** Drops the fields set to ABSENT. */
function pick(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== ABSENT) out[key] = value;
  return out;
}

/** Paths that are fine to sync, per namespace, as Vault would log them. */
export const GOOD_PATHS: readonly { namespace: string; path: string }[] = [
  { namespace: "", path: "secret/data/app/db" },
  { namespace: "", path: "secret/metadata/app/db" },
  { namespace: "", path: "secret/destroy/app/db" },
  { namespace: "", path: "secret/undelete/a b/c" },
  { namespace: "", path: "kv/app/db" },
  { namespace: "", path: "kv/ünïcødé/🔑" },
  { namespace: "", path: "sys/policies/acl/Admins" },
  { namespace: "", path: "sys/policy/ops" },
  { namespace: "team-a/", path: "secret/data/x/y/z" },
  { namespace: "team-a/", path: "sys/policies/acl/team" },
];

/** request.namespace as Vault writes it for a namespace path ("" = root). */
export function namespaceField(namespace: string): Record<string, string> {
  return namespace === "" ? { id: "root" } : { id: "Xk2pQ", path: namespace };
}
