// KV version 1 (Vault's "passthrough" backend): one JSON object per path, no versions.

import type { Backend, LogicalRequest, LogicalResponse, MountEntry } from "../types.ts";
import { durationField } from "./fields.ts";
import { childKeys, cloneJson } from "./kv-shared.ts";
import { listResponse, NO_CONTENT, notFound, unsupportedOperation, userError } from "./respond.ts";

/** The system default lease TTL of a dev server (768h), used when the mount sets none. */
export const SYSTEM_DEFAULT_TTL = 2764800;

export function kvV1Backend(mount: MountEntry): Backend {
  const store = mount.storage as Map<string, Record<string, unknown>>;
  return {
    exists: (req) => store.has(req.mountSubpath),
    handle: (req) => handle(store, mount, req),
  };
}

function handle(
  store: Map<string, Record<string, unknown>>,
  mount: MountEntry,
  req: LogicalRequest,
): LogicalResponse {
  const path = req.mountSubpath;
  switch (req.operation) {
    case "read": {
      const value = store.get(path);
      if (!value) return notFound();
      return {
        status: 200,
        data: cloneJson(value),
        lease: { id: "", duration: leaseSeconds(mount, value), renewable: false },
      };
    }
    case "list":
      return listResponse(childKeys(store.keys(), path === "" || path.endsWith("/") ? path : `${path}/`));
    case "create":
    case "update":
      if (path === "") return userError("missing path");
      if (!req.data || Object.keys(req.data).length === 0) return userError("missing data fields");
      store.set(path, cloneJson(req.data));
      return NO_CONTENT;
    case "delete":
      store.delete(path);
      return NO_CONTENT;
    default:
      return unsupportedOperation();
  }
}

/** A secret's "ttl" (or old "lease") field sets the lease_duration a read reports; else the mount default. */
function leaseSeconds(mount: MountEntry, value: Record<string, unknown>): number {
  const key = "ttl" in value ? "ttl" : "lease" in value ? "lease" : undefined;
  if (key) {
    try {
      const seconds = durationField(value, key);
      if (seconds !== undefined) return seconds;
    } catch {
      // An unreadable ttl keeps the default, as Vault ignores the parse error.
    }
  }
  return mount.config.default_lease_ttl || SYSTEM_DEFAULT_TTL;
}
