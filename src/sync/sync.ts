// The level-triggered sync of one key: read the source's current state, read each destination,
// and apply only the difference. Destinations run side by side and independently; a source that
// cannot be read decides nothing, so it never leads to a delete. A destination that lost a race
// (another Courier won a check-and-set, the key moved between two reads) is synced again at once
// from a fresh read: with two Couriers on one scope that is the normal case, not a failure.
// Two shortcuts for a live KV v2 write hinted through data/, the commonest run: a new key's first
// version goes to a destination that has no record of it as a write only-if-absent, with Vault's
// check-and-set doing the comparing (writeFirstVersion); an update of a key Courier keeps on a
// destination reads that destination alongside the source rather than after it (readEarly).

import type { SyncKey } from "../sync-key.ts";
import { sameVault } from "../vault/address.ts";
import { mountTableChanged, VaultCallError } from "../vault/errors.ts";
import { type MountInfo, mountSpecFrom } from "../vault/mounts.ts";
import { type CustomMetadata, NamespaceError, namespaceNotFound } from "../vault/namespaces.ts";
import type { PruneMode } from "./managed.ts";
import {
  type DestinationOutcome,
  failedOutcome,
  isRace,
  resultOf,
  type SyncResult,
  toOutcomeError,
  WHOLE_KEY_DELETES,
} from "./outcome.ts";
import { destinationKey, mapFor, type PathMaps, sourceNamespaceOf } from "./path-map.ts";
import { applyPlan, type Done, planSync } from "./plan.ts";
import {
  type DestinationRead,
  emptyState,
  isAbsent,
  type KeyState,
  mountMissingMessage,
  otherMountMessage,
  type ReadOptions,
  readDestination,
  readSource,
  refOf,
  type SourceRead,
  SyncError,
  type SyncVault,
  settle,
  sourceFor,
  verificationOf,
} from "./state.ts";

export interface SyncOptions extends ReadOptions {
  /** Deletes on the source (KV v1 delete, soft delete, destroy, metadata delete, policy delete) reach destinations. */
  deletes: boolean;
  /**
   * Where a key the source lacks may be deleted: "all" anywhere, otherwise only on the
   * destinations in `managed` (sync.prune, managed.ts). Absent: anywhere (a caller that does not track ownership).
   */
  prune?: PruneMode;
  /** Addresses of the destinations where the key is Courier's. */
  managed?: readonly string[];
  /** A KV mount missing on a destination is created with the source's type and options. */
  createMounts: boolean;
  /** Where source keys live on destinations (sync.map); none = the same place. */
  map?: PathMaps;
}

/** How often a key is synced again at once for the destinations that lost a race. */
const RACE_RERUNS = 3;

export async function syncKey(
  key: SyncKey,
  source: SyncVault,
  destinations: SyncVault[],
  options: SyncOptions,
): Promise<SyncResult> {
  let result = await syncOnce(key, source, destinations, options);
  for (let rerun = 0; rerun < RACE_RERUNS; rerun++) {
    const raced = result.sourceError
      ? isRace(result.sourceError)
        ? destinations.map((_, i) => i)
        : []
      : result.destinations.flatMap((outcome, i) => (isRace(outcome.error) ? [i] : []));
    if (raced.length === 0) break;
    const again = await syncOnce(
      key,
      source,
      raced.map((i) => destinations[i]!),
      options,
    );
    result = merge(result, raced, again);
  }
  return result;
}

/** The first result with the raced destinations' outcomes replaced by their rerun's. */
function merge(first: SyncResult, raced: number[], again: SyncResult): SyncResult {
  const destinations = [...first.destinations];
  raced.forEach((index, j) => {
    const before = destinations[index]!;
    const after = again.destinations[j]!;
    // What the first try did (a mount made) still happened: keep it in the record.
    destinations[index] = { ...after, done: [...before.done, ...after.done] };
  });
  // A source error speaks for every destination only when every destination was run again.
  const sourceError = raced.length === destinations.length ? again.sourceError : undefined;
  return sourceError ? { sourceError, destinations } : { destinations };
}

async function syncOnce(
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
  const early = readEarly(key, destinations, options);
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
  const outcomes = await Promise.all(
    destinations.map((d, i) => {
      const map = mapFor(options.map, d.address);
      let at: SyncKey;
      try {
        at = destinationKey(key, map);
      } catch (error) {
        return failedOutcome(d.address, toOutcomeError(error), []);
      }
      // Read alongside the source, for the same mount: it answers what a data read now would.
      const earlyRead = read.mount === options.sourceMount ? early[i] : undefined;
      // A token that may not read the source's namespace still gets the namespace made, without metadata.
      const metadataOf = async (path: string) => {
        const from = sourceNamespaceOf(path, map);
        const metadata = from === null ? null : await source.namespaces.read(from).catch(ifDenied(null));
        return metadata ?? {};
      };
      // From here on the key is named as this destination holds it.
      return syncDestination(d, at, read, { ...options, metadataOf, earlyRead });
    }),
  );
  return { destinations: outcomes };
}

/**
 * A live update of a KV v2 key Courier keeps on a destination (it put it there) will read that
 * destination's data path once the source's data is read (see destinationState): that read does
 * not depend on the source's answer, so it is sent alongside it, and the sync waits one round
 * trip less. Only where the key is Courier's: a key new to a destination is written there without
 * a read (writeFirstVersion), which an early read would only add to. A read that fails, or that
 * the sync turns out not to want, is dropped and nothing is decided from it.
 */
function readEarly(
  key: SyncKey,
  destinations: SyncVault[],
  options: SyncOptions,
): (Promise<DestinationRead | undefined> | undefined)[] {
  const mount = options.sourceMount;
  if (key.kind !== "kv" || !key.dataOnly || mount?.kvVersion !== 2) return [];
  const now = (options.now ?? Date.now)();
  return destinations.map((d) => {
    if (!isManagedOn(options, d.address)) return undefined;
    try {
      const at = destinationKey(key, mapFor(options.map, d.address));
      return readDestination(d, at, mount, now, "data").catch(() => undefined);
    } catch {
      return undefined;
    }
  });
}

/** Whether a key the source lacks may be deleted on this destination (see SyncOptions.prune). */
export function removable(options: Pick<SyncOptions, "prune" | "managed">, destination: string): boolean {
  if (options.prune === undefined || options.prune === "all") return true;
  return isManagedOn(options, destination);
}

/** Courier's record says it put the key on this destination (SyncOptions.managed). */
function isManagedOn(options: Pick<SyncOptions, "managed">, destination: string): boolean {
  return options.managed?.some((d) => sameVault(d, destination)) ?? false;
}

/**
 * What a finished run says about whose the key is on the destination: true once it mirrors a key
 * the source has; false once the key is gone there; undefined when left as another writer's.
 */
function managedAfter(source: KeyState, before: KeyState, done: Done[]): boolean | undefined {
  if (!isAbsent(source)) return true;
  if (isAbsent(before) || done.some((op) => WHOLE_KEY_DELETES.has(op))) return false;
  return undefined;
}

/** Waits, in turn, for a new KV v2 mount to finish upgrading its storage: 3.1 s in all. */
const UPGRADE_WAITS_MS = [100, 200, 400, 800, 1600];

interface DestinationOptions extends SyncOptions {
  /** The source's custom_metadata of a namespace, for one made on a destination. */
  metadataOf(path: string): Promise<CustomMetadata>;
  /** The destination's data read, sent alongside the source's (readEarly); used once, if at all. */
  earlyRead?: Promise<DestinationRead | undefined>;
}

async function syncDestination(
  destination: SyncVault,
  key: SyncKey,
  source: SourceRead,
  options: DestinationOptions,
): Promise<DestinationOutcome> {
  const done: Done[] = [];
  let looked = false;
  let lookedForNamespace = false;
  let upgradeWaits = 0;
  let triedFirstVersion = false;
  let early = options.earlyRead;
  for (;;) {
    try {
      if (!(await namespaceReady(destination, key, source, options, done))) {
        // Nothing on the source, and no namespace here to hold it: already equal.
        return { destination: destination.address, result: "unchanged", done, skipped: [] };
      }
      if (!triedFirstVersion) {
        triedFirstVersion = true;
        if (await writeFirstVersion(destination, key, source, options)) {
          done.push("kv2-write");
          const outcome: DestinationOutcome = {
            destination: destination.address,
            result: resultOf(done, []),
            done,
            skipped: [],
            managed: true,
          };
          // Written, not found equal: no fingerprint to keep, as after any write.
          if (options.verified !== undefined) outcome.verified = "";
          return outcome;
        }
      }
      const read = await destinationState(destination, key, source, options, done, early);
      early = undefined; // a retry reads afresh
      const verified = verifiedFor(options, destination.address);
      let [src, state] = source.settingsUnread
        ? [await sourceFor(source, read.state), read.state]
        : await settle(source, read, verified);
      const planOptions = { deletes: options.deletes, removable: removable(options, destination.address) };
      let actions = planSync(src, state, planOptions, key.path.toLowerCase());
      if (read.settingsUnread && read.full && actions.some((a) => a.op === "kv2-write-metadata")) {
        // custom_metadata differs, and a metadata write carries every setting: read them first,
        // or the destination's would be replaced by the defaults standing in for them.
        state = await read.full();
        src = await sourceFor(source, state);
        actions = planSync(src, state, planOptions, key.path.toLowerCase());
      }
      await applyPlan(destination, key, src, actions, done);
      const skipped = actions.flatMap((a) => (a.op === "skip" ? [a.why] : []));
      const result = resultOf(done, skipped);
      const outcome: DestinationOutcome = { destination: destination.address, result, done, skipped };
      const managed = managedAfter(src, state, done);
      if (managed !== undefined) outcome.managed = managed;
      // Found equal, nothing done: the next run may trust both sides' metadata to say so again.
      if (options.verified !== undefined) {
        const found = result === "unchanged" && done.length === 0 ? verificationOf(src, state) : "";
        // A run that read only the source's data has no fingerprint to offer: the one on record
        // stands (it names both sides' metadata exactly, so it can only match if neither changed).
        if (found !== undefined || !source.settingsUnread) outcome.verified = found ?? "";
      }
      return outcome;
    } catch (error) {
      // The namespace was there when last looked at and is gone now: look again, make it anew.
      if (!lookedForNamespace && namespaceNotFound(error)) {
        lookedForNamespace = true;
        destination.namespaces.forget(key.namespace);
        destination.mounts.forget(key.namespace);
        continue;
      }
      // "No handler" where the cached mount table promised a mount: the destination lost it (disabled,
      // restarted empty, a snapshot restored). Look again at once: the mount is made anew when allowed.
      if (!looked && mountTableChanged(error)) {
        looked = true;
        destination.mounts.forget(key.namespace);
        continue;
      }
      // A KV v2 mount just made (here, or by a sibling sync) answers "upgrading" until its storage
      // is ready: about a second, more on a busy server. Waited out here, not left to backoff.
      const wait = UPGRADE_WAITS_MS[upgradeWaits];
      if (wait !== undefined && error instanceof VaultCallError && error.reason === "upgrading") {
        upgradeWaits++;
        await Bun.sleep(wait);
        continue;
      }
      return failedOutcome(destination.address, toOutcomeError(error), done);
    }
  }
}

/**
 * A key's first version, hinted by a write through its data path, where this destination has no
 * record of the key: written only-if-absent (cas 0) without reading the destination first, one
 * request where reading and then writing takes two, and one round trip less before the
 * destination holds it. The key there already (another writer's, another Courier's, one whose
 * record was lost), no such mount, or any other failure: false, and the full sync reads and
 * compares as always, so this can cost a refused write but never a wrong one.
 * Only for a source key that is live at version 1 with no custom_metadata: what a destination
 * holds after writing its data alone, with Vault's default settings (as sourceFor assumes too).
 */
async function writeFirstVersion(
  destination: SyncVault,
  key: SyncKey,
  source: SourceRead,
  options: SyncOptions,
): Promise<boolean> {
  const state = source.state;
  if (!source.settingsUnread || state.kind !== "kv2" || state.current.state !== "live") return false;
  if (state.current.version !== 1 || !state.metadata) return false;
  if (Object.keys(state.metadata.settings.custom_metadata).length > 0) return false;
  // Courier put it there, or found it equal there: it is there, and only the full sync compares.
  if (isManagedOn(options, destination.address) || verifiedFor(options, destination.address)) return false;
  const found = await destination.mounts.find(key.namespace, key.mount).catch(() => null);
  if (found?.kvVersion !== 2) return false;
  try {
    await destination.kv2.writeData(refOf(key), state.current.data, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The key's namespace exists on the destination, made (parents first, with the source's
 * custom_metadata) when allowed and needed; false when it is missing and nothing needs it. The
 * root always exists. A server without namespaces throws a NamespaceError naming the namespace,
 * the same words for every key, so it is reported once per destination.
 */
async function namespaceReady(
  destination: SyncVault,
  key: SyncKey,
  source: SourceRead,
  options: DestinationOptions,
  done: Done[],
): Promise<boolean> {
  if (key.namespace === "") return true;
  const needed = !isAbsent(source.state);
  try {
    const ensure = { create: needed && options.createMounts, metadataOf: options.metadataOf };
    if ((await destination.namespaces.ensure(key.namespace, ensure)) === "created") {
      done.push("create-namespace");
    }
    return true;
  } catch (error) {
    if (!needed && error instanceof NamespaceError && error.missing) return false;
    throw error;
  }
}

/** The verification recorded for this destination, if the caller keeps them. */
function verifiedFor(options: SyncOptions, address: string): string | undefined {
  if (!options.verified) return undefined;
  for (const [destination, verified] of Object.entries(options.verified)) {
    if (sameVault(destination, address)) return verified;
  }
  return undefined;
}

type DestinationState = Extract<DestinationRead, { kind: "state" }>;

/**
 * The destination's state (read lazily where a verification is on record for it); a missing
 * mount is created first when that is allowed and needed.
 */
async function destinationState(
  destination: SyncVault,
  key: SyncKey,
  source: SourceRead,
  options: SyncOptions,
  done: Done[],
  earlyRead?: Promise<DestinationRead | undefined>,
): Promise<DestinationState> {
  const now = (options.now ?? Date.now)();
  // A source read through its data path alone is compared by the destination's data path alone
  // (its settings are the destination's anyway, sourceFor); a source whose metadata was read
  // and a verification on record: the destination's metadata, its data only if needed.
  const reading = source.settingsUnread
    ? "data"
    : verifiedFor(options, destination.address)
      ? "metadata"
      : "full";
  const early = reading === "data" ? await earlyRead : undefined;
  // Only a state read early stands: anything else (no mount, a namespace made since) is read again.
  const read =
    early?.kind === "state" ? early : await readDestination(destination, key, source.mount, now, reading);
  const mount = source.mount as MountInfo;
  if (read.kind !== "no-mount") return stateIn(read, destination, key, mount);
  const empty = { kind: "state" as const, state: emptyState(mount.kvVersion) };
  // Nothing on the source and no mount here: already equal, no mount is made for nothing.
  if (isAbsent(source.state)) return empty;
  if (!options.createMounts) {
    throw new SyncError("VAULT_ERROR", mountMissingMessage(destination, key, mount), false);
  }
  if ((await destination.mounts.ensure(key.namespace, key.mount, mountSpecFrom(mount))) === "created") {
    done.push("create-mount");
    return empty;
  }
  // Made by someone else a moment ago (another key's sync, another Courier): it may hold the key already.
  return stateIn(await readDestination(destination, key, mount, now), destination, key, mount);
}

function stateIn(
  read: DestinationRead,
  destination: SyncVault,
  key: SyncKey,
  mount: MountInfo,
): DestinationState {
  if (read.kind === "state") return read;
  if (read.kind === "other-mount") {
    throw new SyncError("VAULT_ERROR", otherMountMessage(destination, key, mount, read.found), false);
  }
  // Made, then gone again at once: the mount table is changing under us; the next run looks again.
  const where = `${key.namespace}${key.mount}`;
  throw new SyncError("VAULT_ERROR", `${destination.address}: mount ${where} vanished as it was made`, true);
}

/** .catch(ifDenied(x)): a 403 answers x; any other failure is thrown on. */
function ifDenied<T>(value: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof VaultCallError && error.reason === "permission-denied") return value;
    throw error;
  };
}
