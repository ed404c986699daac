// Everything one double holds in memory. One DoubleState = one Vault server.
import type { Backend, MountEntry, Namespace } from "./types.ts";

/** One namespace: its own mount table (with a backend per mount) and its own ACL policies. */
export interface NamespaceState {
  ns: Namespace;
  mounts: Map<string, MountEntry>;
  backends: Map<string, Backend>;
  /** Policy name (lower-case) → HCL text. */
  policies: Map<string, string>;
  /** Child namespace name → id (only the names directly below this one). */
  children: Set<string>;
}

export interface DoubleState {
  /** Per-server key for audit HMACs, like Vault's per-device salt. */
  hmacKey: Uint8Array;
  sealed: boolean;
  standby: boolean;
  /** Namespace path ("" = root, "team-a/", "team-a/dev/") → its state. */
  namespaces: Map<string, NamespaceState>;
}
