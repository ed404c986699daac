// The KV v2 backend: routes a path inside the mount to its handler the way the plugin's
// framework paths do (config, data/, metadata/, delete/, undelete/, destroy/, subkeys/, else invalid).
import type { Backend, LogicalRequest, LogicalResponse, MountEntry } from "../../types.ts";
import { unsupportedOperation, withStatusCode } from "../respond.ts";
import { readConfig, writeConfig } from "./config.ts";
import { deleteLatest, patchData, readData, writeData } from "./data.ts";
import {
  deleteMetadata,
  keyExists,
  listMetadata,
  patchMetadata,
  readMetadata,
  writeMetadata,
} from "./metadata.ts";
import { storeOf } from "./store.ts";
import { readSubkeys } from "./subkeys.ts";
import { actOnVersions } from "./versions.ts";

export function kvV2Backend(mount: MountEntry, now: () => number): Backend {
  return {
    exists(req) {
      const route = routeOf(req.mountSubpath);
      if (route.kind !== "data" && route.kind !== "metadata") return undefined;
      return keyExists(storeOf(mount), route.key);
    },
    handle: (req) => handle(mount, req, now()),
  };
}

type Route =
  | { kind: "config" | "invalid"; key: "" }
  | { kind: "data" | "metadata" | "subkeys" | "delete" | "undelete" | "destroy"; key: string };

/** "data/app/db" → {data, "app/db"}; "data/app/" → invalid (data/ paths cannot end in "/") */
export function routeOf(subpath: string): Route {
  if (subpath === "config") return { kind: "config", key: "" };
  const slash = subpath.indexOf("/");
  if (slash < 0) return { kind: "invalid", key: "" };
  const head = subpath.slice(0, slash);
  const key = subpath.slice(slash + 1);
  switch (head) {
    case "data":
      return key === "" || key.endsWith("/") ? { kind: "invalid", key: "" } : { kind: "data", key };
    case "metadata":
    case "subkeys":
    case "delete":
    case "undelete":
    case "destroy":
      return { kind: head, key };
    default:
      return { kind: "invalid", key: "" };
  }
}

function handle(mount: MountEntry, req: LogicalRequest, now: number): LogicalResponse {
  const store = storeOf(mount);
  const route = routeOf(req.mountSubpath);
  const op = req.operation;
  const write = op === "create" || op === "update";
  switch (route.kind) {
    case "config":
      if (op === "read") return readConfig(store);
      return write ? writeConfig(store, req) : unsupportedOperation();
    case "data":
      if (op === "read") return readData(store, route.key, req, now);
      if (write) return writeData(store, route.key, req, now);
      if (op === "patch") return patchData(store, route.key, req, now);
      return op === "delete" ? deleteLatest(store, route.key, now) : unsupportedOperation();
    case "metadata":
      if (op === "read") return readMetadata(store, route.key);
      if (op === "list") return listMetadata(store, route.key, req);
      if (write) return writeMetadata(store, route.key, req, now);
      if (op === "patch") return patchMetadata(store, route.key, req);
      return op === "delete" ? deleteMetadata(store, route.key) : unsupportedOperation();
    case "subkeys":
      return op === "read" ? readSubkeys(store, route.key, req, now) : unsupportedOperation();
    case "delete":
    case "undelete":
    case "destroy":
      return write ? actOnVersions(store, route.kind, route.key, req, now) : unsupportedOperation();
    default:
      return invalidPath(req);
  }
}

const SUBCOMMAND: Record<string, string> = {
  create: "put",
  update: "put",
  patch: "patch",
  read: "get",
  list: "list",
  delete: "delete",
};

/** pathInvalid: a 404 whose body carries a warning pointing at the right API or CLI command. */
function invalidPath(req: LogicalRequest): LogicalResponse {
  const root = ["metadata", "data", "delete", "undelete", "destroy"].includes(req.mountSubpath);
  const warning = root
    ? "Non-listing operations on the root of a K/V v2 mount are not supported."
    : `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${SUBCOMMAND[req.operation]}' for this operation.`;
  return withStatusCode(req, 404, null, [warning]);
}
