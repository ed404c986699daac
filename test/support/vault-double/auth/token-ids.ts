// Token and accessor strings shaped like Vault's: "hvs." / "hvb." + base62, accessors 24 base62
// characters; outside the root namespace both end in ".<namespace id>".

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** 24 random base62 characters. */
export function base62(length = 24): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}

/** `("service", "root")` → "hvs.Xk3…"; `("batch", "abc12")` → "hvb.….abc12" */
export function newTokenId(type: "service" | "batch", namespaceId: string): string {
  return withNamespace(`${type === "batch" ? "hvb" : "hvs"}.${base62()}`, namespaceId);
}

export function newAccessor(namespaceId: string): string {
  return withNamespace(base62(), namespaceId);
}

function withNamespace(id: string, namespaceId: string): string {
  return namespaceId === "root" ? id : `${id}.${namespaceId}`;
}
