// sync.map: where a source key lives on the destinations. A mapping FROM=TO rewrites a prefix of
// "<namespace><mount>", both ending in "/": a FROM that covers the key's namespace moves the
// namespace and everything below it (its mounts, keys and ACL policies), "team1/=dr/team1/"; a FROM
// that reaches into the mount moves that mount within its namespace, "secret/=mirror/" (the root's
// secret/) or "team1/secret/=team1/kv/". The longest FROM that applies wins. Keys no mapping covers
// keep their place. The source side of Courier never sees a mapping: keys, logs and the ring speak
// of source paths; only the calls to a destination are made at the mapped place.

import type { Config } from "../config/schema.ts";
import { CourierError } from "../errors.ts";
import { POLICY_MOUNT, type SyncKey } from "../sync-key.ts";
import { vaultName } from "../vault/address.ts";

export interface PathMapping {
  /** "team1/" or "secret/": ends in "/". */
  from: string;
  to: string;
}

/** The mappings, longest FROM first (parsePathMap orders them). */
export type PathMap = readonly PathMapping[];

/** sync.map, and the destinations with a map of their own (a list item's map replaces it there). */
export interface PathMaps {
  all: PathMap;
  /** By address, without a trailing "/". */
  byDestination?: Readonly<Record<string, PathMap>>;
}

/** mapFor({all: [a], byDestination: {"http://dr2": [b]}}, "http://dr2/") → [b]; any other destination → [a] */
export function mapFor(maps: PathMaps | undefined, destination: string): PathMap {
  if (!maps) return [];
  return maps.byDestination?.[vaultName(destination)] ?? maps.all;
}

/**
 * parsePathMap(["secret/=mirror/", "team1/=dr/team1/"]) → [{from:"team1/", to:"dr/team1/"}, {from:"secret/", to:"mirror/"}]
 * Items are checked by the configuration ("FROM=TO", both ending in "/").
 */
export function parsePathMap(items: readonly string[]): PathMapping[] {
  return items
    .map((item) => {
      const [from = "", to = ""] = item.split("=");
      return { from, to };
    })
    .sort((a, b) => b.from.length - a.from.length);
}

/**
 * The key as a destination holds it.
 * destinationKey({kind:"kv", namespace:"team1/sub/", mount:"kv/", path:"a"}, [{from:"team1/", to:"dr/team1/"}])
 *   → {kind:"kv", namespace:"dr/team1/sub/", mount:"kv/", path:"a"}
 * destinationKey({kind:"kv", namespace:"", mount:"secret/", path:"a"}, [{from:"secret/", to:"mirror/"}])
 *   → {kind:"kv", namespace:"", mount:"mirror/", path:"a"}
 */
export function destinationKey(key: SyncKey, map: PathMap): SyncKey {
  for (const { from, to } of map) {
    if (key.namespace.startsWith(from)) return { ...key, namespace: to + key.namespace.slice(from.length) };
    const where = key.namespace + key.mount;
    if (key.kind !== "kv" || !where.startsWith(from)) continue;
    const mapped = to + where.slice(from.length);
    if (!mapped.startsWith(key.namespace) || mapped === key.namespace) {
      throw new CourierError(
        "CONFIG_INVALID",
        `sync.map ${from}=${to} would move mount ${where} out of namespace ${key.namespace || '""'}; ` +
          "map the namespace itself instead",
      );
    }
    return { ...key, mount: mapped.slice(key.namespace.length) };
  }
  return key;
}

/**
 * Where a source namespace lands on a destination: where the map puts its ACL policies, which
 * move with the namespace whatever happens to its mounts.
 * destinationNamespaceOf("team1/sub/", [{from:"team1/", to:"dr/team1/"}]) → "dr/team1/sub/"
 * destinationNamespaceOf("", [{from:"secret/", to:"mirror/"}]) → ""
 */
export function destinationNamespaceOf(namespace: string, map: PathMap): string {
  return destinationKey({ kind: "policy", namespace, mount: POLICY_MOUNT, path: "" }, map).namespace;
}

/**
 * The source namespace a destination namespace stands for, so one made there gets its
 * custom_metadata; null for one that stands for none (a parent a mapping's TO needs, like "dr/").
 * sourceNamespaceOf("dr/team1/sub/", [{from:"team1/", to:"dr/team1/"}]) → "team1/sub/"
 * sourceNamespaceOf("dr/", [{from:"team1/", to:"dr/team1/"}]) → null
 */
export function sourceNamespaceOf(namespace: string, map: PathMap): string | null {
  if (namespace === "") return "";
  const covering = map
    .filter(({ to }) => namespace.startsWith(to))
    .sort((a, b) => b.to.length - a.to.length)[0];
  if (covering) return covering.from + namespace.slice(covering.to.length);
  return map.some(({ to }) => to.startsWith(namespace)) ? null : namespace;
}

/**
 * sync.map for every destination, and the maps of the list items that have one of their own.
 * pathMapsFrom(sync.map ["secret/=mirror/"], list [{address:"http://dr2/", map:["secret/=dr/"]}])
 *   → {all: [secret/=mirror/], byDestination: {"http://dr2": [secret/=dr/]}}
 */
export function pathMapsFrom(config: Config): PathMaps {
  const own = config.vault.destinations.list.filter((item) => (item.map?.length ?? 0) > 0);
  return {
    all: parsePathMap(config.sync.map),
    byDestination: Object.fromEntries(
      own.map((item) => [vaultName(item.address), parsePathMap(item.map ?? [])]),
    ),
  };
}
