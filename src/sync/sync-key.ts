// The level-triggered sync of one key: read the source's current state, read each destination,
// and apply only the difference. Destinations run side by side and independently; a source that
// cannot be read decides nothing, so it never leads to a delete.

import type { SyncKey } from "../sync-key.ts";
import type { MountInfo } from "../vault/types.ts";
import { applyPlan, type Done } from "./apply.ts";
import type { KeyState } from "./key-state.ts";
import {
  type DestinationOutcome,
  failedOutcome,
  resultOf,
  type SyncResult,
  toOutcomeError,
} from "./outcome.ts";
import { planSync } from "./plan.ts";
import {
  emptyState,
  isAbsent,
  mountMissingMessage,
  mountSpecFrom,
  otherMountMessage,
  readDestination,
  readSource,
  type SourceRead,
} from "./read.ts";
import { SyncError } from "./sync-error.ts";
import type { SyncOptions, SyncVault } from "./vault-port.ts";

export async function syncKey(
  key: SyncKey,
  source: SyncVault,
  destinations: SyncVault[],
  options: SyncOptions,
): Promise<SyncResult> {
  if (key.kind === "policy" && key.path.toLowerCase() === "root") {
    // Vault refuses changes to root; it is never read, compared or written.
    const skipped = (d: SyncVault): DestinationOutcome => ({
      destination: d.address,
      result: "skipped",
      done: [],
      skipped: ["root-policy"],
    });
    return { destinations: destinations.map(skipped) };
  }
  let read: SourceRead;
  try {
    read = await readSource(source, key, options);
  } catch (error) {
    // Whatever it was (403, 5xx, sealed, timeout), the key's state is unknown: retry, touch nothing.
    const sourceError = { ...toOutcomeError(error), transient: true };
    return {
      sourceError,
      destinations: destinations.map((d) => failedOutcome(d.address, sourceError, [])),
    };
  }
  const outcomes = await Promise.all(destinations.map((d) => syncDestination(d, key, read, options)));
  return { destinations: outcomes };
}

async function syncDestination(
  destination: SyncVault,
  key: SyncKey,
  source: SourceRead,
  options: SyncOptions,
): Promise<DestinationOutcome> {
  const done: Done[] = [];
  try {
    const state = await destinationState(destination, key, source, options, done);
    const actions = planSync(source.state, state, options, key.path.toLowerCase());
    await applyPlan(destination, key, source.state, actions, done);
    const skipped = actions.flatMap((a) => (a.op === "skip" ? [a.why] : []));
    return { destination: destination.address, result: resultOf(done, skipped), done, skipped };
  } catch (error) {
    return failedOutcome(destination.address, toOutcomeError(error), done);
  }
}

/** The destination's state; a missing mount is created first when that is allowed and needed. */
async function destinationState(
  destination: SyncVault,
  key: SyncKey,
  source: SourceRead,
  options: SyncOptions,
  done: Done[],
): Promise<KeyState> {
  const read = await readDestination(destination, key, source.mount, (options.now ?? Date.now)());
  if (read.kind === "state") return read.state;
  const mount = source.mount as MountInfo;
  if (read.kind === "other-mount") {
    throw new SyncError("VAULT_ERROR", otherMountMessage(destination, key, mount, read.found), false);
  }
  const empty = emptyState(mount.kvVersion);
  // Nothing on the source and no mount here: already equal, no mount is made for nothing.
  if (isAbsent(source.state)) return empty;
  if (!options.createMounts) {
    throw new SyncError("VAULT_ERROR", mountMissingMessage(destination, key, mount), false);
  }
  await destination.mounts.create(key.namespace, key.mount, mountSpecFrom(mount));
  done.push("create-mount");
  return empty;
}
