// How Courier names one Vault everywhere it compares names: its address without a trailing "/".
// An address as configured may end in "/"; a client names itself without one (VaultHttp), and
// the record of managed keys, the path maps, the verifications and the passes key by this name.

/** vaultName("http://v:8200/") → "http://v:8200"; an address without a trailing "/" is itself. */
export function vaultName(address: string): string {
  return address.endsWith("/") ? address.replace(/\/+$/, "") : address;
}

/** Two addresses of one Vault, a trailing "/" or not. */
export function sameVault(a: string, b: string): boolean {
  return a === b || vaultName(a) === vaultName(b);
}
