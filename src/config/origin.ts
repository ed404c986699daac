// Where a setting's value came from, so precedence can be decided and every message can say
// which flag, variable or file to fix. Precedence: flag > env > file > default; Vault's own
// variables (VAULT_ADDR, …) sit just below Courier's COURIER_* names.

export type OriginKind = "flag" | "env" | "file" | "default";

export interface Origin {
  kind: OriginKind;
  /** "--vault.source.address", "VAULT_ADDR", "/etc/courier/courier.yaml", or "" for a default. */
  name: string;
  /** Higher wins. */
  rank: number;
}

/** A value as given, before it is read and validated. */
export interface Given {
  value: unknown;
  origin: Origin;
}

/** One source's values, by setting key. */
export type Layer = Map<string, Given>;

export const RANK = { flag: 5, env: 4, vaultEnv: 3, file: 2, default: 1 } as const;

export const DEFAULT_ORIGIN: Origin = { kind: "default", name: "", rank: RANK.default };

export function fromFlag(name: string): Origin {
  return { kind: "flag", name, rank: RANK.flag };
}

export function fromEnv(name: string, courierOwn: boolean): Origin {
  return { kind: "env", name, rank: courierOwn ? RANK.env : RANK.vaultEnv };
}

export function fromFile(path: string): Origin {
  return { kind: "file", name: path, rank: RANK.file };
}

/**
 * For messages and the start-up log.
 * describeOrigin(fromEnv("VAULT_ADDR", false)) → "env VAULT_ADDR"; describeOrigin(DEFAULT_ORIGIN) → "default"
 */
export function describeOrigin(origin: Origin): string {
  return origin.kind === "default" ? "default" : `${origin.kind} ${origin.name}`;
}

/** The strongest value for each key across layers; on equal rank the later layer wins. */
export function mergeLayers(layers: readonly Layer[]): Layer {
  const merged: Layer = new Map();
  for (const layer of layers) {
    for (const [key, given] of layer) {
      const held = merged.get(key);
      if (!held || given.origin.rank >= held.origin.rank) merged.set(key, given);
    }
  }
  return merged;
}

/**
 * Dotted keys to the nested object the schema reads.
 * nest(new Map([["log.level", {value:"debug",…}]])) → {log:{level:"debug"}}
 */
export function nest(layer: Layer): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, { value }] of layer) {
    const parts = key.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1) as string] = value;
  }
  return root;
}
