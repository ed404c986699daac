// Mounts of engines the double does not model (transit, pki, totp, database, …): they exist in the
// mount table, hold no KV data, and answer every path the way Vault's framework answers a path
// it has no pattern for.
import type { Backend } from "../types.ts";
import { unsupportedPath } from "./respond.ts";

export function passthroughBackend(): Backend {
  return { handle: () => unsupportedPath() };
}
