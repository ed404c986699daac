// Read-only: how each destination's copy of a key differs from the source's. The same reads and
// the same comparison the sync uses, so "courier diff" and the sync never disagree.

import type { SyncKey } from "../sync-key.ts";
import { vaultName } from "../vault/address.ts";
import { type OutcomeError, toOutcomeError } from "./outcome.ts";
import { destinationKey, mapFor, type PathMap, type PathMaps } from "./path-map.ts";
import { type Aspect, compareStates, type Status } from "./plan.ts";
import {
  isAbsent,
  type ReadOptions,
  readDestination,
  readSource,
  type SourceRead,
  type SyncVault,
  settle,
} from "./state.ts";

export interface Comparison {
  destination: string;
  /** "error": the destination could not be read; `error` says why. */
  status: Status | "error";
  aspects: Aspect[];
  error?: OutcomeError;
}

export interface CompareResult {
  /** Set when the source could not be read: every destination is "error". */
  sourceError?: OutcomeError;
  destinations: Comparison[];
}

export interface CompareOptions extends ReadOptions {
  /** sync.map: each destination is read where the source's key lands on it. */
  map?: PathMaps;
}

export async function compareKey(
  key: SyncKey,
  source: SyncVault,
  destinations: SyncVault[],
  options: CompareOptions = {},
): Promise<CompareResult> {
  if (key.kind === "policy" && key.path.toLowerCase() === "root") {
    return {
      destinations: destinations.map((d) => ({ destination: d.address, status: "equal", aspects: [] })),
    };
  }
  let read: SourceRead;
  try {
    read = await readSource(source, key, options);
  } catch (error) {
    const sourceError = toOutcomeError(error);
    const failed = (d: SyncVault): Comparison => ({
      destination: d.address,
      status: "error",
      aspects: [],
      error: sourceError,
    });
    return { sourceError, destinations: destinations.map(failed) };
  }
  const now = (options.now ?? Date.now)();
  const verified = (d: SyncVault) => options.verified?.[vaultName(d.address)];
  const compared = destinations.map((d) =>
    compareOne(d, key, read, now, mapFor(options.map, d.address), verified(d)),
  );
  return { destinations: await Promise.all(compared) };
}

async function compareOne(
  destination: SyncVault,
  key: SyncKey,
  source: SourceRead,
  now: number,
  map: PathMap,
  verified: string | undefined,
) {
  const name = destination.address;
  try {
    const at = destinationKey(key, map);
    const read = await readDestination(destination, at, source.mount, now, verified ? "metadata" : "full");
    if (read.kind === "other-mount")
      return { destination: name, status: "differs", aspects: ["mount"] } as Comparison;
    if (read.kind === "no-mount") {
      return isAbsent(source.state)
        ? ({ destination: name, status: "equal", aspects: [] } as Comparison)
        : ({ destination: name, status: "missing", aspects: ["mount"] } as Comparison);
    }
    const [src, dst] = await settle(source, read, verified);
    return { destination: name, ...compareStates(src, dst) } as Comparison;
  } catch (error) {
    return { destination: name, status: "error", aspects: [], error: toOutcomeError(error) } as Comparison;
  }
}
