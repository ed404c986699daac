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
  /** sys/namespaces custom_metadata. */
  customMetadata: Record<string, string>;
  /** Being deleted: still listed and readable (tainted), but nothing inside it answers. */
  tainted?: boolean;
}

export interface DoubleState {
  /** Per-server key for audit HMACs, like Vault's per-device salt. */
  hmacKey: Uint8Array;
  sealed: boolean;
  standby: boolean;
  /** Namespace path ("" = root, "team-a/", "team-a/dev/") → its state. */
  namespaces: Map<string, NamespaceState>;
  /** The one unseal key a dev server prints (base64); sys/unseal accepts it. */
  unsealKey: string;
  /** What sys/health and sys/seal-status report. */
  clusterName: string;
  clusterId: string;
  version: string;
}

/** A fresh server state with only the root namespace slot empty; mount-table.ts fills it. */
export function createDoubleState(): DoubleState {
  const id = crypto.randomUUID();
  return {
    hmacKey: crypto.getRandomValues(new Uint8Array(32)),
    sealed: false,
    standby: false,
    namespaces: new Map(),
    unsealKey: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
    clusterName: `vault-cluster-${id.slice(0, 8)}`,
    clusterId: crypto.randomUUID(),
    version: "1.19.0",
  };
}
