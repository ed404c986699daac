// One audit line → what Courier should do about it, counted. parse.ts reads the line into an entry;
// here the entry + the source's mount table + the scope become a SyncKey, or a reason to ignore it.
// Only a `response` entry without `error` for a write means something changed (a request entry
// comes before the change; an error means none happened). The mount comes from the source's own
// table, never from the entry: older Vault writes no mount fields and a forged entry can write
// any. KV v2's data/, metadata/, delete/, undelete/ and destroy/ paths of one secret are one key.
// A request path is relative to its namespace, has no leading "/", and names a mount followed by
// the path inside it.

import { POLICY_MOUNT, type SyncKey } from "../sync-key.ts";
import type { IngestCounters } from "./counters.ts";
import type { MountTable } from "./mount-table.ts";
import { type AuditEntry, parseAuditLine } from "./parse.ts";
import type { CompiledScope } from "./scope.ts";

export type IgnoreReason =
  | "not_response"
  | "failed_request"
  | "not_a_write"
  | "unsafe_path"
  | "system_path"
  | "cubbyhole"
  | "non_kv_mount"
  | "unknown_mount"
  | "mount_out_of_scope"
  | "path_out_of_scope"
  | "policies_off"
  | "not_a_secret"
  | "kv_config";

export type ClassifyResult =
  /**
   * `dataPath`: the entry wrote a KV v2 key through data/, delete/, undelete/ or destroy/, which
   * leave its settings (max_versions, cas_required, delete_version_after, custom_metadata) as
   * they were; metadata/ writes change them.
   */
  | { action: "sync"; key: SyncKey; dataPath?: true }
  | { action: "ignore"; reason: IgnoreReason }
  /** The mount table of `namespace` changed (sys/mounts or sys/remount): fetch it again. */
  | { action: "refresh-mounts"; namespace: string }
  /**
   * `path` is in no mount the table knows, or is a policy of a namespace it has not read: fetch
   * the namespace's table and classify again. If it is still unknown then, count it as ignored
   * "unknown_mount". Forged entries can ask for this at will, so the caller rate-limits the fetches.
   */
  | { action: "unknown-mount"; namespace: string; path: string };

/**
 * What ingestLine needs besides the line. The run loop calls ingestLine from a listener's onLine
 * callback: it is synchronous and touches nothing but memory.
 */
export interface IngestContext {
  mounts: MountTable;
  scope: CompiledScope;
  counters: IngestCounters;
  /** Longest line accepted, in characters (the framer already caps bytes). */
  maxLineChars?: number;
}

/**
 * ingestLine('{"type":"response","request":{"operation":"delete","path":"kv/a"}}', ctx)
 *   → {action:"sync", key:{kind:"kv", namespace:"", mount:"kv/", path:"a"}} (and counts it)
 * A rejected line answers undefined.
 */
export function ingestLine(line: string, context: IngestContext): ClassifyResult | undefined {
  if (isPlainRequestEntry(line)) {
    context.counters.ignored.not_response++;
    return IGNORED.not_response;
  }
  if (isPlainReadEntry(line)) {
    context.counters.ignored.not_a_write++;
    return IGNORED.not_a_write;
  }
  const parsed = parseAuditLine(line, context.maxLineChars);
  if (!parsed.ok) {
    context.counters.rejected[parsed.reason]++;
    return undefined;
  }
  const result = classify(parsed.entry, context.mounts, context.scope);
  countResult(context.counters, result);
  return result;
}

/**
 * Half of what Vault writes is request entries, which never lead to a sync. A line that holds
 * `"type":"request"` and no `"response"` string anywhere cannot have "response" as its type (short
 * of a JSON escape, which Vault never writes and which would only get a forged line ignored), so
 * it is counted as ignored without parsing it. That roughly doubles throughput; the price is that
 * a malformed line mimicking a request entry counts as ignored, not rejected.
 * Newer Vault writes keys sorted, `type` last, so the line's tail usually answers without a scan:
 * in valid JSON, `,"type":"request"}` at the very end is the top-level object's last member (its
 * quotes are bare, so it is no string's content) and the last of repeated keys is the one that
 * counts. A `"type":"response"` tail only sends the line on to be parsed, which is always safe.
 * isPlainRequestEntry('{"time":"…","type":"request","request":{…}}') → true
 * isPlainRequestEntry('{"auth":{…},"request":{…},"time":"…","type":"request"}') → true
 */
export function isPlainRequestEntry(line: string): boolean {
  if (line.endsWith(REQUEST_TAIL)) return true;
  if (line.endsWith(RESPONSE_TAIL)) return false;
  return !line.includes('"response"') && line.includes('"type":"request"');
}

/**
 * Most of a Vault's audit stream is reads (applications fetching their secrets, and each of
 * Courier's own reads of the source), which never lead to a sync either. Vault writes compact JSON
 * and escapes every quote inside a string, so `"operation":"` in a line it wrote is an object key
 * with a string value, and every entry holds request.operation. A line holding that sequence once
 * holds it there; when it says read or list, in a response entry without an error, the line is
 * counted as ignored (not_a_write, as classify would) without parsing. Two or more (token metadata
 * or, with log_raw, request data with an "operation" field of its own) and the line is parsed. A
 * forged line that hides its operation in an escape or a space gets only itself ignored: a hint,
 * never a sync.
 * isPlainReadEntry('{…"request":{…"operation":"read","path":"secret/data/app"…},…}') → true
 * isPlainReadEntry('{"auth":{"metadata":{"operation":"read"}},"request":{"operation":"update"…}}') → false
 */
export function isPlainReadEntry(line: string): boolean {
  // A response that did not fail, so the reasons classify gives first are kept: the type is the
  // last member (keys sorted) or the one after time (Vault's and OpenBao's usual order; a
  // timestamp holds no quote), and no "error" key is anywhere.
  if (!(line.endsWith(RESPONSE_TAIL) || isResponseAfterTime(line))) return false;
  if (line.includes('"error":')) return false;
  const at = line.indexOf(OPERATION_KEY);
  if (at === -1 || line.indexOf(OPERATION_KEY, at + OPERATION_KEY.length) !== -1) return false;
  const value = at + OPERATION_KEY.length;
  return line.startsWith('read"', value) || line.startsWith('list"', value);
}

/** isResponseAfterTime('{"time":"2026-…Z","type":"response","auth":…') → true */
function isResponseAfterTime(line: string): boolean {
  if (!line.startsWith(TIME_HEAD)) return false;
  const end = line.indexOf('"', TIME_HEAD.length);
  return end !== -1 && line.startsWith(RESPONSE_AFTER_TIME, end + 1);
}

const TIME_HEAD = '{"time":"';
const RESPONSE_AFTER_TIME = ',"type":"response",';
const OPERATION_KEY = '"operation":"';
const REQUEST_TAIL = ',"type":"request"}';
const RESPONSE_TAIL = ',"type":"response"}';

/** Operations that change state; KV v2 PATCH logs "patch". Reads and lists change nothing. */
const WRITES = new Set(["create", "update", "patch", "delete"]);

/**
 * classify(response entry "kv-v2/data/app/db", table {kv-v2/: kv v2}, every mount)
 *   → {action:"sync", key:{kind:"kv", namespace:"", mount:"kv-v2/", path:"app/db"}}
 */
export function classify(entry: AuditEntry, mounts: MountTable, scope: CompiledScope): ClassifyResult {
  if (entry.type !== "response") return IGNORED.not_response;
  if (entry.error) return IGNORED.failed_request;
  if (!WRITES.has(entry.operation)) return IGNORED.not_a_write;
  const { path, namespace } = entry;
  if (!isSafePath(path) || !isSafePath(namespace)) return IGNORED.unsafe_path;

  const slash = path.indexOf("/");
  const first = slash === -1 ? path : path.slice(0, slash);
  switch (first) {
    case "sys":
      return classifySystem(path, namespace, mounts, scope);
    case "cubbyhole":
      return IGNORED.cubbyhole;
    // Paths Vault reserves for itself: never a secrets engine that could hold KV.
    case "auth":
    case "identity":
    case "audit":
      return IGNORED.non_kv_mount;
  }

  const mount = mounts.lookup(namespace, path);
  if (mount === undefined) return { action: "unknown-mount", namespace, path };
  if (mount.kvVersion === null) return IGNORED.non_kv_mount;
  if (!scope.mountInScope(namespace, mount.path)) return IGNORED.mount_out_of_scope;

  const inner = path.slice(mount.path.length);
  let keyPath: string;
  let dataPath = false;
  if (mount.kvVersion === 1) {
    if (!isSecretName(inner)) return IGNORED.not_a_secret;
    keyPath = inner;
  } else {
    const split = splitKv2Path(inner);
    if (split.kind === "config") return IGNORED.kv_config;
    if (split.kind === "other") return IGNORED.not_a_secret;
    keyPath = split.path;
    dataPath = split.prefix !== "metadata/";
  }
  if (!scope.kvPathInScope(namespace, mount.path, keyPath)) return IGNORED.path_out_of_scope;
  const key: SyncKey = { kind: "kv", namespace, mount: mount.path, path: keyPath };
  return dataPath ? { action: "sync", key, dataPath } : { action: "sync", key };
}

/**
 * sys/ paths: ACL policies are keys, mount changes refresh the table, the rest is not ours. A
 * policy in a namespace the source has not shown is not taken on the entry's word (a forged one
 * can name any namespace): its table is fetched first, as for an unknown mount.
 */
function classifySystem(
  path: string,
  namespace: string,
  mounts: MountTable,
  scope: CompiledScope,
): ClassifyResult {
  const name = policyName(path);
  if (name !== undefined) {
    if (!scope.policies) return IGNORED.policies_off;
    if (!scope.policyInScope(namespace, name)) return IGNORED.path_out_of_scope;
    if (!mounts.has(namespace)) return { action: "unknown-mount", namespace, path };
    return { action: "sync", key: { kind: "policy", namespace, mount: POLICY_MOUNT, path: name } };
  }
  if (changesMounts(path)) return { action: "refresh-mounts", namespace };
  return IGNORED.system_path;
}

/** Tallies where a classified line ended. */
function countResult(counters: IngestCounters, result: ClassifyResult): void {
  switch (result.action) {
    case "sync":
      counters.accepted++;
      break;
    case "ignore":
      counters.ignored[result.reason]++;
      break;
    case "refresh-mounts":
      counters.mountRefreshes++;
      break;
    case "unknown-mount":
      counters.unknownMounts++;
      break;
  }
}

/**
 * A path that cannot be turned into a different path by URL handling further on: no empty
 * segment (a trailing "/" aside), no "." or ".." (also percent-encoded, which URL parsers treat
 * the same), no backslash (a "/" to WHATWG URL parsers), no control characters.
 * isSafePath("secret/data/app/db") → true;  isSafePath("kv/a/../../sys/policy/x") → false
 */
export function isSafePath(path: string): boolean {
  let segmentStart = 0;
  for (let i = 0; i <= path.length; i++) {
    const c = i < path.length ? path.charCodeAt(i) : 47;
    if (c < 32 || c === 127 || c === 92) return false;
    if (c !== 47) continue; // "/"
    const length = i - segmentStart;
    if (length === 0 && i !== path.length) return false;
    const head = path.charCodeAt(segmentStart); // only "." and "%" can start a dot segment
    const mayBeDots = (head === 46 || head === 37) && length <= 6;
    if (mayBeDots && isDotSegment(path.slice(segmentStart, i))) return false;
    segmentStart = i + 1;
  }
  return true;
}

function isDotSegment(segment: string): boolean {
  return /^(?:\.|%2e){1,2}$/i.test(segment);
}

/** A sentence for each ignore reason, for logs and metric help text. */
export function describeIgnore(reason: IgnoreReason): string {
  return IGNORE_TEXT[reason];
}

const IGNORE_TEXT: Record<IgnoreReason, string> = {
  not_response: "a request entry or another entry type: only response entries report a change",
  failed_request: "the request failed (the entry has an error), so nothing changed",
  not_a_write: "a read, list or other operation that changes nothing",
  unsafe_path: "the path or namespace has empty, dot or control-character segments",
  system_path: "a sys/ path other than ACL policies",
  cubbyhole: "cubbyhole/ is per-token storage and is never replicated",
  non_kv_mount: "the path is in a mount that is not a KV secrets engine",
  unknown_mount:
    "the path is in no mount (or the policy in no namespace) the source lists, even after a refresh",
  mount_out_of_scope: "the KV mount is not in --sync.mounts",
  path_out_of_scope: "the path is excluded by --sync.include / --sync.exclude",
  policies_off: "policy replication is off (--sync.policies=false)",
  not_a_secret: "the path names a folder, a mount root or a KV v2 endpoint that is not a secret",
  kv_config: "a KV v2 mount's config endpoint, which is not a secret",
};

export const IGNORE_REASONS = Object.keys(IGNORE_TEXT) as IgnoreReason[];

/** One frozen answer per reason, so ignoring allocates nothing. */
const IGNORED = Object.fromEntries(
  IGNORE_REASONS.map((reason) => [reason, Object.freeze({ action: "ignore", reason })]),
) as { [R in IgnoreReason]: { action: "ignore"; reason: R } };

/** The KV v2 path prefixes that all name the same secret. */
const KV2_SECRET_PREFIXES = ["data/", "metadata/", "delete/", "undelete/", "destroy/"] as const;

type Kv2Prefix = (typeof KV2_SECRET_PREFIXES)[number];
type Kv2Split = { kind: "secret"; prefix: Kv2Prefix; path: string } | { kind: "config" } | { kind: "other" };

/**
 * Splits a path inside a KV v2 mount.
 * splitKv2Path("data/app/db") → {kind:"secret", prefix:"data/", path:"app/db"}
 * splitKv2Path("destroy/app/db") → {kind:"secret", prefix:"destroy/", path:"app/db"};  splitKv2Path("config") → {kind:"config"}
 * splitKv2Path("metadata/app/") → {kind:"other"} (a folder);  splitKv2Path("subkeys/app") → {kind:"other"}
 */
function splitKv2Path(inner: string): Kv2Split {
  if (inner === "config") return { kind: "config" };
  for (const prefix of KV2_SECRET_PREFIXES) {
    if (inner.startsWith(prefix)) {
      const path = inner.slice(prefix.length);
      return isSecretName(path) ? { kind: "secret", prefix, path } : { kind: "other" };
    }
  }
  return { kind: "other" };
}

/** A key, not a folder or nothing: "app/db" → true, "app/" → false, "" → false */
function isSecretName(path: string): boolean {
  return path !== "" && !path.endsWith("/");
}

const ACL_POLICY_PREFIX = "sys/policies/acl/";
const LEGACY_POLICY_PREFIX = "sys/policy/";

/**
 * The ACL policy a path writes, lower-cased as Vault stores it; undefined for any other path.
 * policyName("sys/policies/acl/Admins") → "admins";  policyName("sys/policy/ops") → "ops"
 * policyName("sys/policies/password/x") → undefined
 */
function policyName(path: string): string | undefined {
  let name: string;
  if (path.startsWith(ACL_POLICY_PREFIX)) name = path.slice(ACL_POLICY_PREFIX.length);
  else if (path.startsWith(LEGACY_POLICY_PREFIX)) name = path.slice(LEGACY_POLICY_PREFIX.length);
  else return undefined;
  return isSecretName(name) ? name.toLowerCase() : undefined;
}

/**
 * A change to the mount table itself: enabling, disabling, tuning or moving a mount.
 * changesMounts("sys/mounts/kv") → true;  changesMounts("sys/remount") → true;  changesMounts("sys/mounts") → false
 */
function changesMounts(path: string): boolean {
  return path.startsWith("sys/mounts/") || path === "sys/remount" || path.startsWith("sys/remount/");
}
