// Entries that look like real writes but name paths no destination may ever see written, each
// with what classification must make of it. A forged entry can carry any of these; none may
// become a key to sync.

export interface HostilePath {
  namespace: string;
  path: string;
  /** The outcome it must have (see outcomeOf in world.ts). */
  expect: string;
}

const unsafe = "ignored:unsafe_path";

const ROOT: readonly [string, string][] = [
  ["secret/data/../../sys/policies/acl/root", unsafe],
  ["secret/data/a/%2E%2e/b", unsafe],
  ["secret/data/a/%2e/b", unsafe],
  ["secret/data/a//b", unsafe],
  ["secret/data/a\\..\\b", unsafe],
  ["secret/data/a\u0000b", unsafe],
  ["secret/data/a\nb", unsafe],
  ["secret/data/x\u007f", unsafe],
  ["/secret/data/x", unsafe],
  ["sys/policies/acl/../root", unsafe],
  ["kv/./a", unsafe],
  ["sys/mounts/secret", "refresh-mounts:"],
  ["sys/mounts/secret/tune", "refresh-mounts:"],
  ["sys/remount", "refresh-mounts:"],
  ["auth/token/create", "ignored:non_kv_mount"],
  ["auth/approle/role/x/secret-id", "ignored:non_kv_mount"],
  ["identity/entity/name/x", "ignored:non_kv_mount"],
  ["audit/x", "ignored:non_kv_mount"],
  ["transit/keys/x", "ignored:non_kv_mount"],
  ["cubbyhole/x", "ignored:cubbyhole"],
  ["sys/audit/x", "ignored:system_path"],
  ["sys/audit-hash/x", "ignored:system_path"],
  ["sys/policies/password/x", "ignored:system_path"],
  ["sys/policies/acl/", "ignored:system_path"],
  ["sys/raw/logical/x", "ignored:system_path"],
  ["other/data/x", "ignored:mount_out_of_scope"],
  ["secret/config", "ignored:kv_config"],
  ["secret/data/", "ignored:not_a_secret"],
  ["secret/metadata/", "ignored:not_a_secret"],
  ["secret/metadata/folder/", "ignored:not_a_secret"],
  ["secret/subkeys/x", "ignored:not_a_secret"],
  ["secret/", "ignored:not_a_secret"],
  ["secret", "ignored:not_a_secret"],
  ["kv/", "ignored:not_a_secret"],
  ["kv/folder/", "ignored:not_a_secret"],
  ["secret/data/excluded/x", "ignored:path_out_of_scope"],
  ["nomount/x", "unknown-mount:"],
  ["SECRET/data/x", "unknown-mount:"],
  ["secret\u2215data\u2215x", "unknown-mount:"],
  ["\uff53ecret/data/x", "unknown-mount:"],
  ["constructor/x", "unknown-mount:"],
  ["__proto__/data/x", "unknown-mount:"],
];

const TEAM_A: readonly [string, string][] = [
  ["other/x", "ignored:mount_out_of_scope"],
  ["kv/x", "unknown-mount:team-a/"],
  ["sys/mounts/x", "refresh-mounts:team-a/"],
  ["cubbyhole/x", "ignored:cubbyhole"],
  ["auth/token/create", "ignored:non_kv_mount"],
  ["secret/data/a/../b", unsafe],
];

/** Namespaces a forged entry may claim, with paths that would otherwise sync. */
const NAMESPACES: readonly [string, string, string][] = [
  ["../", "secret/data/x", unsafe],
  ["team-a/../", "secret/data/x", unsafe],
  ["team-a//", "secret/data/x", unsafe],
  ["\u0000/", "secret/data/x", unsafe],
  ["nope/", "secret/data/x", "unknown-mount:nope/"],
  ["__proto__/", "secret/data/x", "unknown-mount:__proto__/"],
  ["constructor/", "kv/x", "unknown-mount:constructor/"],
];

export const HOSTILE_PATHS: readonly HostilePath[] = [
  ...ROOT.map(([path, expect]) => ({ namespace: "", path, expect })),
  ...TEAM_A.map(([path, expect]) => ({ namespace: "team-a/", path, expect })),
  ...NAMESPACES.map(([namespace, path, expect]) => ({ namespace, path, expect })),
];
