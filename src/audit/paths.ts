// Path helpers for classification. A request path is relative to its namespace, has no leading
// "/", and names a mount followed by the path inside it.

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

/** The KV v2 path prefixes that all name the same secret. */
const KV2_SECRET_PREFIXES = ["data/", "metadata/", "delete/", "undelete/", "destroy/"] as const;

export type Kv2Split = { kind: "secret"; path: string } | { kind: "config" } | { kind: "other" };

/**
 * Splits a path inside a KV v2 mount.
 * splitKv2Path("data/app/db") → {kind:"secret", path:"app/db"}
 * splitKv2Path("destroy/app/db") → {kind:"secret", path:"app/db"};  splitKv2Path("config") → {kind:"config"}
 * splitKv2Path("metadata/app/") → {kind:"other"} (a folder);  splitKv2Path("subkeys/app") → {kind:"other"}
 */
export function splitKv2Path(inner: string): Kv2Split {
  if (inner === "config") return { kind: "config" };
  for (const prefix of KV2_SECRET_PREFIXES) {
    if (inner.startsWith(prefix)) {
      const path = inner.slice(prefix.length);
      return isSecretName(path) ? { kind: "secret", path } : { kind: "other" };
    }
  }
  return { kind: "other" };
}

/** A key, not a folder or nothing: "app/db" → true, "app/" → false, "" → false */
export function isSecretName(path: string): boolean {
  return path !== "" && !path.endsWith("/");
}

const ACL_POLICY_PREFIX = "sys/policies/acl/";
const LEGACY_POLICY_PREFIX = "sys/policy/";

/**
 * The ACL policy a path writes, lower-cased as Vault stores it; undefined for any other path.
 * policyName("sys/policies/acl/Admins") → "admins";  policyName("sys/policy/ops") → "ops"
 * policyName("sys/policies/password/x") → undefined
 */
export function policyName(path: string): string | undefined {
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
export function changesMounts(path: string): boolean {
  return path.startsWith("sys/mounts/") || path === "sys/remount" || path.startsWith("sys/remount/");
}
