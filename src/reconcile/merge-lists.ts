// The LIST answers for one folder from several Vaults, merged: every name any of them holds, with
// the Vaults that hold it, in sorted order. Walking source and destinations side by side this way
// finds a key only a destination has (an extra) without ever holding a whole tree in memory.

export interface Listed {
  /** As LIST names it: "app" for a key, "app/" for a folder. */
  name: string;
  /** Indexes of the Vaults whose answer holds it, ascending. */
  on: number[];
}

/**
 * mergeListings([["a", "b/"], ["b/", "c"]])
 *   → [{name:"a", on:[0]}, {name:"b/", on:[0,1]}, {name:"c", on:[1]}]
 */
export function mergeListings(lists: readonly (readonly string[])[]): Listed[] {
  const byName = new Map<string, number[]>();
  lists.forEach((list, index) => {
    for (const name of list) {
      const on = byName.get(name);
      if (on === undefined) byName.set(name, [index]);
      else if (on.at(-1) !== index) on.push(index);
    }
  });
  // Vault sorts LIST answers by byte order (Go's sort.Strings); code-unit order matches it for
  // every name outside the astral planes.
  return [...byName.keys()].sort(byCodeUnit).map((name) => ({ name, on: byName.get(name)! }));
}

/** byCodeUnit("B", "a") → -1: plain "<", not locale order. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
