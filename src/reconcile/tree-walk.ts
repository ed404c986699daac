// A depth-first walk of one mount (or the policy list) on several Vaults at once, one folder at a
// time: memory holds the folders on the current branch, never the tree. Keys come out in sorted
// order, each with the Vaults that listed it.

import { mergeListings } from "./merge-lists.ts";

/** LIST of one folder ("" for the top): names as Vault gives them, folders ending in "/". */
export type Lister = (folder: string) => Promise<string[]>;

export interface WalkedPath {
  /** Relative to the mount: "app/db". */
  path: string;
  /** Indexes of the Vaults that listed it. */
  on: number[];
}

/**
 * Told when one Vault's LIST fails. Throwing ends the walk; returning carries on as if that Vault
 * had nothing in the folder (the caller has noted that the walk is incomplete for it).
 */
export type ListErrorHandler = (index: number, folder: string, error: unknown) => void;

/**
 * walkTree([source LIST, destination LIST]) over {"a", "b/c"} and {"b/c", "x"}
 *   → {path:"a", on:[0]}, {path:"b/c", on:[0,1]}, {path:"x", on:[1]}
 * A null lister stands for a Vault with nothing there (no such mount).
 */
export async function* walkTree(
  listers: readonly (Lister | null)[],
  onError: ListErrorHandler,
  folder = "",
): AsyncGenerator<WalkedPath> {
  const lists = await Promise.all(
    listers.map(async (list, index) => {
      if (list === null) return [];
      try {
        return await list(folder);
      } catch (error) {
        onError(index, folder, error);
        return [];
      }
    }),
  );
  for (const { name, on } of mergeListings(lists)) {
    if (name.endsWith("/")) {
      // Only the Vaults that listed the folder are asked what is in it.
      const inside = listers.map((list, index) => (on.includes(index) ? list : null));
      yield* walkTree(inside, onError, folder + name);
    } else if (name !== "") {
      yield { path: folder + name, on };
    }
  }
}
