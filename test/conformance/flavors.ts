// Where OpenBao answers differently from HashiCorp Vault. The double follows Vault; a test that
// meets one of these differences asks here what the server under test should say, so every
// known difference between the two is listed in one place. Each was seen on OpenBao 2.7 and
// checked against both projects' source.

/** Which server answers. The double is always "vault". */
export type Flavor = "vault" | "openbao";

/** "openbao" → "openbao"; anything else (unset, "vault") → "vault". */
export function flavorFromEnv(value: string | undefined): Flavor | undefined {
  if (value === "openbao" || value === "vault") return value;
  return undefined;
}

/**
 * OpenBao's seal-status reports `commit_date` where Vault reports `build_date`.
 * {commit_date: "2026-10-26T…"} → "openbao"; {build_date: "…"} → "vault"
 */
export function flavorFromSealStatus(body: Record<string, unknown> | undefined): Flavor {
  return body && "commit_date" in body && !("build_date" in body) ? "openbao" : "vault";
}

/**
 * The `mount_type` Vault puts at the top of every wrapped body. OpenBao's HTTP response has no
 * such field, so there it is absent.
 */
export function bodyMountType(flavor: Flavor, type: string): string | undefined {
  return flavor === "openbao" ? undefined : type;
}

/** The keys of a successful wrapped body: Vault's, or OpenBao's, which lack `mount_type`. */
export function wrappedKeys(flavor: Flavor, vaultKeys: readonly string[]): string[] {
  return flavor === "openbao" ? vaultKeys.filter((k) => k !== "mount_type") : [...vaultKeys];
}

/** The CLI a KV warning tells the user to run: `vault kv get`, or `bao kv get` on OpenBao. */
export function cliName(flavor: Flavor): string {
  return flavor === "openbao" ? "bao" : "vault";
}

/**
 * A malformed JSON body: Vault (before 1.20.3, the JSON limits) answers 400 "error parsing JSON";
 * OpenBao answers 400 and names the decoder's error. Vault from 1.20.3 on scans the body first
 * and answers 500 with the scanner's message; neither the double nor this suite follows that.
 */
export function jsonErrorPattern(flavor: Flavor): RegExp {
  return flavor === "openbao" ? /^failed to decode JSON input: .+/ : /^error parsing JSON$/;
}

/**
 * Bytes after the first JSON value: Vault 1.19's decoder reads one value and ignores the rest
 * (stored); OpenBao scans the whole body for its JSON limits and refuses it (400).
 */
export function trailingBytesStored(flavor: Flavor): boolean {
  return flavor === "vault";
}

/**
 * Go's ServeMux redirects an unclean path with 301 up to Go 1.25 (Vault 1.19 is built with
 * Go 1.23) and with 307 from Go 1.26 on (OpenBao 2.7 is built with Go 1.27).
 */
export function cleanPathRedirect(flavor: Flavor): number {
  return flavor === "openbao" ? 307 : 301;
}

/** Extra keys OpenBao's KV v2 `config` answers: `metadata_cas_required` (an OpenBao addition). */
export function kvConfigExtras(flavor: Flavor): Record<string, unknown> {
  return flavor === "openbao" ? { metadata_cas_required: false } : {};
}

/**
 * The warning of a KV 1→2 upgrade. Vault names the target version; OpenBao's handler shadows
 * the parsed version in an inner scope, so its warning says "to version 0".
 */
export function upgradeWarning(flavor: Flavor): string {
  return `Upgrading mount from version 1 to version ${flavor === "openbao" ? 0 : 2}.`;
}

/**
 * A policy written under an upper-case name: Vault lowercases the name in the handler and says
 * so (200 with a warning); OpenBao lowercases the request path before the handler runs (its
 * audit entry already shows the lower-case path), so there is nothing to warn about (204).
 */
export function policyRenameWarns(flavor: Flavor): boolean {
  return flavor === "vault";
}

/**
 * A new service token's prefix: Vault's `hvs.`; OpenBao issues the legacy `s.` unless
 * server-side consistent tokens are turned on.
 */
export function serviceTokenPattern(flavor: Flavor): RegExp {
  return flavor === "openbao" ? /^s\.[0-9A-Za-z]{24}$/ : /^hvs\./;
}
