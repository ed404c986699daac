// cubbyhole/: per-token storage. Each token sees only its own paths; nothing here is replicated.
import { multierror } from "../go-format.ts";
import type { Backend, LogicalRequest, LogicalResponse, MountEntry } from "../types.ts";
import { childKeys, cloneJson } from "./kv-shared.ts";
import { listResponse, NO_CONTENT, notFound, unsupportedOperation } from "./respond.ts";

export function cubbyholeBackend(mount: MountEntry): Backend {
  const store = mount.storage as Map<string, Record<string, unknown>>;
  const keyOf = (req: LogicalRequest) => `${req.token?.id ?? ""}/${req.mountSubpath}`;
  return {
    exists: (req) => store.has(keyOf(req)),
    handle(req): LogicalResponse {
      const owner = `${req.token?.id ?? ""}/`;
      switch (req.operation) {
        case "read": {
          const value = store.get(keyOf(req));
          return value ? { status: 200, data: cloneJson(value) } : notFound();
        }
        case "list": {
          const path = req.mountSubpath;
          const prefix = owner + (path === "" || path.endsWith("/") ? path : `${path}/`);
          return listResponse(childKeys(store.keys(), prefix));
        }
        case "create":
        case "update":
          // The cubbyhole backend returns plain Go errors here, which Vault answers with 500.
          if (!req.data || Object.keys(req.data).length === 0) return internal("missing data fields");
          if (req.mountSubpath === "") return internal("missing path");
          store.set(keyOf(req), cloneJson(req.data));
          return NO_CONTENT;
        case "delete":
          store.delete(keyOf(req));
          return NO_CONTENT;
        default:
          return unsupportedOperation();
      }
    },
  };
}

function internal(message: string): LogicalResponse {
  return { status: 500, errors: [multierror(message)], error: message };
}
