// How a destination's copy of a key differs from the source's: the one comparison both the sync
// (to decide what to write) and the drift report (to say what is wrong) use.

import type { Kv2Settings } from "../vault/kv.ts";
import { DEFAULT_KV2_SETTINGS } from "../vault/kv.ts";
import type { CurrentVersion, KeyState } from "./key-state.ts";

export type Status = "equal" | "missing" | "extra" | "differs";

export type Aspect =
  /** The destination has no such mount, or one of another KV version. */
  | "mount"
  /** KV data (v1, or v2's current version) is not the source's. */
  | "data"
  /** Whether the current version is soft-deleted differs. */
  | "deleted"
  /** The source's current version is destroyed, the destination's is not. */
  | "destroyed"
  | keyof Kv2Settings
  | "policy";

export interface Difference {
  status: Status;
  /** What differs, for "differs" (and "missing" for a missing mount); empty otherwise. */
  aspects: Aspect[];
}

const EQUAL: Difference = { status: "equal", aspects: [] };
const SETTINGS = Object.keys(DEFAULT_KV2_SETTINGS) as (keyof Kv2Settings)[];

/**
 * compareStates({kind:"kv1", data:{a:"1"}}, {kind:"kv1", data:null}) → {status:"missing", aspects:[]}
 * compareStates(v2 live {a:"1"}, v2 live {a:"2"}) → {status:"differs", aspects:["data"]}
 */
export function compareStates(source: KeyState, destination: KeyState): Difference {
  if (source.kind === "kv1" && destination.kind === "kv1") {
    return presence(source.data !== null, destination.data !== null, () =>
      Bun.deepEquals(source.data, destination.data) ? [] : ["data"],
    );
  }
  if (source.kind === "policy" && destination.kind === "policy") {
    return presence(source.text !== null, destination.text !== null, () =>
      source.text === destination.text ? [] : ["policy"],
    );
  }
  if (source.kind === "kv2" && destination.kind === "kv2") {
    const src = source.metadata;
    const dst = destination.metadata;
    return presence(src !== null, dst !== null, () => [
      ...settingsDiff(src!.settings, dst!.settings),
      ...currentDiff(source.current, destination.current),
    ]);
  }
  return { status: "differs", aspects: ["mount"] };
}

/**
 * The settings of two KV v2 keys that differ.
 * settingsDiff({…, max_versions: 5}, {…, max_versions: 0}) → ["max_versions"]
 */
export function settingsDiff(source: Kv2Settings, destination: Kv2Settings): (keyof Kv2Settings)[] {
  return SETTINGS.filter((name) => !Bun.deepEquals(source[name], destination[name]));
}

/**
 * How the current versions differ, named from the destination's side of the fix.
 * currentDiff({state:"destroyed"}, {state:"live"}) → ["destroyed"]
 */
export function currentDiff(source: CurrentVersion, destination: CurrentVersion): Aspect[] {
  if (source.state === "live") {
    if (destination.state === "live") return Bun.deepEquals(source.data, destination.data) ? [] : ["data"];
    return destination.state === "deleted" ? ["deleted"] : ["data"];
  }
  if (source.state === "destroyed") {
    return destination.state === "live" || destination.state === "deleted" ? ["destroyed"] : [];
  }
  // Soft-deleted or no version at all on the source: no readable data there, so none here either.
  return destination.state === "live" ? ["deleted"] : [];
}

function presence(onSource: boolean, onDestination: boolean, differences: () => Aspect[]): Difference {
  if (!onSource && !onDestination) return EQUAL;
  if (!onDestination) return { status: "missing", aspects: [] };
  if (!onSource) return { status: "extra", aspects: [] };
  const aspects = differences();
  return aspects.length === 0 ? EQUAL : { status: "differs", aspects };
}
