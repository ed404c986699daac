// One audit line → the few fields Courier acts on, or a counted rejection. Nothing in a line is
// trusted: every field read is checked for the type Vault writes, and a line that breaks that is
// rejected whole. JSON.parse makes "__proto__" and "constructor" plain own keys (no prototype is
// touched) and parses deep nesting without recursion; the size cap bounds both.
// Hand-written checks rather than a valibot schema: this runs for every entry Vault writes.

import { DEFAULT_MAX_LINE_BYTES } from "./framer.ts";

/** What Courier keeps from an entry. Values, tokens and HMACs are never kept. */
export interface AuditEntry {
  /** "request", "response", or another type some Vault editions write (ignored later). */
  type: string;
  /** request.operation: create, update, patch, delete, read, list, … */
  operation: string;
  /** request.path, relative to the namespace ("secret/data/app/db"). */
  path: string;
  /** request.namespace.path: "" for the root namespace, "team-a/" for a child. */
  namespace: string;
  /** The entry carries a non-empty `error`: the request failed, nothing changed. */
  error: boolean;
  /** request.mount_point / mount_type: hints for logs only, absent from older Vault. */
  mountPoint: string | undefined;
  mountType: string | undefined;
  /** request.remote_address: the Vault client that made the request ("" when absent). */
  remoteAddress: string;
}

export type RejectReason =
  | "invalid_json"
  | "invalid_utf8"
  | "not_an_object"
  | "missing_field"
  | "wrong_type"
  | "too_large"
  | "xml_format";

export const REJECT_REASONS: readonly RejectReason[] = [
  "invalid_json",
  "invalid_utf8",
  "not_an_object",
  "missing_field",
  "wrong_type",
  "too_large",
  "xml_format",
];

export type ParseResult = { ok: true; entry: AuditEntry } | { ok: false; reason: RejectReason };

type Json = Record<string, unknown>;

/**
 * parseAuditLine('{"type":"response","request":{"operation":"update","path":"kv/a"}}')
 *   → {ok:true, entry:{type:"response", operation:"update", path:"kv/a", namespace:"", error:false, …}}
 */
export function parseAuditLine(line: string, maxChars: number = DEFAULT_MAX_LINE_BYTES): ParseResult {
  if (line.length > maxChars) return reject("too_large");
  if (startsWithAngle(line)) return reject("xml_format");
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return reject("invalid_json");
  }
  if (!isObject(value)) return reject("not_an_object");
  return readEntry(value);
}

/** A few words for each rejection, for logs and metric help text. */
export function describeRejection(reason: RejectReason): string {
  return REJECT_TEXT[reason];
}

const REJECT_TEXT: Record<RejectReason, string> = {
  invalid_json: "not valid JSON",
  invalid_utf8: "not valid UTF-8",
  not_an_object: "JSON, but not an object",
  missing_field: "a field every entry has is missing",
  wrong_type: "a field has a type Vault never writes",
  too_large: "longer than the line cap",
  xml_format: "XML: the audit device uses format=jsonx; set format=json",
};

function readEntry(raw: Json): ParseResult {
  const type = raw.type;
  if (type === undefined) return reject("missing_field");
  if (typeof type !== "string") return reject("wrong_type");
  // Vault writes request and response entries with a full request; other types (e.g. Enterprise
  // KMIP entries) may lack one and are only kept so classification can ignore them by type.
  const full = type === "request" || type === "response";

  const request = raw.request;
  if (request === undefined || request === null) {
    if (full) return reject("missing_field");
    return accept(type, "", "", "", raw.error, undefined, undefined, "");
  }
  if (!isObject(request)) return reject("wrong_type");

  const operation = request.operation;
  const path = request.path;
  if (full && (operation === undefined || path === undefined)) return reject("missing_field");
  if (!isOptionalString(operation) || !isOptionalString(path)) return reject("wrong_type");

  const namespace = readNamespace(request.namespace);
  if (namespace === undefined) return reject("wrong_type");

  const { mount_point, mount_type, remote_address } = request;
  if (!isOptionalString(mount_point) || !isOptionalString(mount_type) || !isOptionalString(remote_address)) {
    return reject("wrong_type");
  }
  return accept(
    type,
    operation ?? "",
    path ?? "",
    namespace,
    raw.error,
    mount_point ?? undefined,
    mount_type ?? undefined,
    remote_address ?? "",
  );
}

function accept(
  type: string,
  operation: string,
  path: string,
  namespace: string,
  error: unknown,
  mountPoint: string | undefined,
  mountType: string | undefined,
  remoteAddress: string,
): ParseResult {
  if (!isOptionalString(error)) return reject("wrong_type");
  return {
    ok: true,
    entry: { type, operation, path, namespace, error: !!error, mountPoint, mountType, remoteAddress },
  };
}

/** {"id":"root"} → "", {"id":"x","path":"team-a/"} → "team-a/", "team-a" → "team-a/"; bad → undefined. */
function readNamespace(value: unknown): string | undefined {
  if (value === undefined || value === null) return "";
  if (!isObject(value)) return undefined;
  const path = value.path;
  if (path === undefined || path === null || path === "") return "";
  if (typeof path !== "string") return undefined;
  return path.endsWith("/") ? path : `${path}/`;
}

function startsWithAngle(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 60) return true; // "<"
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10 && c !== 0xfeff) return false;
  }
  return false;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isOptionalString(value: unknown): value is string | undefined | null {
  return value === undefined || value === null || typeof value === "string";
}

function reject(reason: RejectReason): ParseResult {
  return { ok: false, reason };
}
