// Vault's client_id for a token with no entity: base64(sha256(sorted policies joined by 0x7F, then
// 0x00, then the namespace id)). With an entity it is the entity id.
import { createHash } from "node:crypto";
import type { TokenEntry } from "../types.ts";

/** `{policies:["root"], namespace:{id:"root"}}` → base64 sha256 of "root\x00root" */
export function clientId(token: TokenEntry): string {
  if (token.entityId !== "") return token.entityId;
  const sorted = [...token.policies].sort();
  const input = `${sorted.map((p) => `\x7f${p}`).join("")}\x00${token.namespace.id}`.slice(1);
  return createHash("sha256").update(input).digest("base64");
}
