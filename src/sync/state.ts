// One key's state on one Vault, read fresh: what compare and plan work on, and the reads that
// make it. The source's mount is read first, as it says how the key is stored (KV v1, v2, or a
// policy); a destination's mount must be the same kind. A state holds secret values in memory
// only; nothing derived from it for outcomes or logs carries them. SyncVault is all syncing needs
// from a Vault: VaultClient has this shape, and a Worker builds its clients from plain settings
// and hands them in.

import { CourierError, type ErrorCode } from "../errors.ts";
import type { SyncKey } from "../sync-key.ts";
import { mountTableChanged } from "../vault/errors.ts";
import {
  DEFAULT_KV2_SETTINGS,
  type Kv2DataRead,
  type Kv2Metadata,
  type Kv2Settings,
  type KvRef,
  versionState,
} from "../vault/kv.ts";
import { type Ensured, kindOf, type MountInfo, type MountSpec } from "../vault/mounts.ts";
import { type CustomMetadata, type EnsureNamespace, namespaceNotFound } from "../vault/namespaces.ts";

export interface SyncVault {
  /** How outcomes name this Vault: its address. */
  readonly address: string;
  readonly mounts: {
    find(namespace: string, mount: string): Promise<MountInfo | null>;
    /** Makes the mount unless one of its kind is there; concurrent callers share one attempt. */
    ensure(namespace: string, mount: string, spec: MountSpec): Promise<Ensured>;
    /** The namespace's mount table changed under us: the next find() asks Vault again. */
    forget(namespace: string): void;
  };
  readonly namespaces: {
    /** The namespace's custom_metadata, or null when it does not exist. */
    read(path: string): Promise<CustomMetadata | null>;
    /** The namespace and its parents exist afterwards (or it throws a NamespaceError). */
    ensure(path: string, options: EnsureNamespace): Promise<Ensured>;
    forget(path: string): void;
    /** The levels of the namespace that do not exist, parents first; nothing is made. */
    missingLevels(path: string): Promise<string[]>;
  };
  readonly kv1: {
    read(ref: KvRef): Promise<Record<string, unknown> | null>;
    write(ref: KvRef, data: Record<string, unknown>): Promise<void>;
    delete(ref: KvRef): Promise<void>;
  };
  readonly kv2: {
    readData(ref: KvRef, version?: number): Promise<Kv2DataRead>;
    readMetadata(ref: KvRef): Promise<Kv2Metadata | null>;
    writeData(ref: KvRef, data: Record<string, unknown>, cas?: number): Promise<number>;
    writeMetadata(ref: KvRef, settings: Partial<Kv2Settings>): Promise<void>;
    deleteMetadata(ref: KvRef): Promise<void>;
    deleteVersions(ref: KvRef, versions: number[]): Promise<void>;
    undeleteVersions(ref: KvRef, versions: number[]): Promise<void>;
    destroyVersions(ref: KvRef, versions: number[]): Promise<void>;
  };
  readonly policies: {
    read(namespace: string, name: string): Promise<string | null>;
    write(namespace: string, name: string, policy: string): Promise<void>;
    delete(namespace: string, name: string): Promise<void>;
  };
}

/** The current version of a KV v2 key; "none" when the key has no version (metadata only, or absent). */
export type CurrentVersion =
  | { state: "live"; version: number; data: Record<string, unknown> }
  | { state: "deleted" | "destroyed" | "none"; version: number };

export type KeyState =
  | { kind: "kv1"; data: Record<string, unknown> | null }
  | { kind: "kv2"; metadata: Kv2Metadata | null; current: CurrentVersion }
  | { kind: "policy"; text: string | null };

export const ABSENT_KV2: KeyState = { kind: "kv2", metadata: null, current: { state: "none", version: 0 } };

export interface ReadOptions {
  /** The source's mount, when the caller already knows it; otherwise it is looked up. */
  sourceMount?: MountInfo;
  /** Clock for "is this deletion_time past yet"; Date.now by default. */
  now?: () => number;
  /**
   * Per destination address, the verification (verificationOf) of the last time this key was
   * found equal there. Where it still holds, a KV v2 key's data is not read (settle()).
   */
  verified?: Readonly<Record<string, string>>;
}

/**
 * Data a run did not read: both sides' metadata show nothing changed since they were last found
 * equal. Only ever compared, by identity: never written anywhere (liveData refuses it).
 */
export const UNREAD: Record<string, unknown> = Object.freeze({ "(not read)": true }) as Record<
  string,
  unknown
>;

export interface SourceRead {
  /** null for a policy. */
  mount: MountInfo | null;
  state: KeyState;
  /** Reads what `state` left UNREAD (once, however many destinations ask). */
  full?: () => Promise<KeyState>;
  /**
   * The KV v2 key was read through its data path alone: `state`'s settings other than
   * custom_metadata are Vault's defaults standing in for unread ones (sourceFor decides).
   */
  settingsUnread?: true;
}

/**
 * Any error thrown here means "the source could not be read": it never becomes a delete. A "no
 * handler" answer means the source's mount table changed under a mount known from before (the
 * mount disabled, or moved): the key is read once more from a fresh look at the table. A mount that
 * is gone leaves the key's state unknown, never absent: the destinations keep their copies.
 */
export async function readSource(source: SyncVault, key: SyncKey, options: ReadOptions): Promise<SourceRead> {
  try {
    return await readSourceOnce(source, key, options);
  } catch (error) {
    if (!mountTableChanged(error)) throw error;
    source.mounts.forget(key.namespace);
    return readSourceOnce(source, key, { ...options, sourceMount: undefined });
  }
}

async function readSourceOnce(source: SyncVault, key: SyncKey, options: ReadOptions): Promise<SourceRead> {
  const now = (options.now ?? Date.now)();
  if (key.kind === "policy") return { mount: null, state: await readKeyState(source, key, null, now) };
  const mount = await sourceMountOf(source, key, options);
  if (mount.kvVersion === 2 && key.dataOnly) {
    const read = await readKv2DataOnly(source, refOf(key), now);
    if (read) return { mount, ...read };
    return { mount, state: await readKeyState(source, key, 2, now) };
  }
  if (mount.kvVersion === 2 && hasAny(options.verified)) {
    const { state, full } = await readKv2Lazily(source, refOf(key), now);
    return { mount, state, ...(full ? { full: once(full) } : {}) };
  }
  return { mount, state: await readKeyState(source, key, mount.kvVersion, now) };
}

async function sourceMountOf(
  source: SyncVault,
  key: SyncKey,
  options: ReadOptions,
): Promise<MountInfo & { kvVersion: 1 | 2 }> {
  const mount = options.sourceMount ?? (await source.mounts.find(key.namespace, key.mount));
  if (!mount) {
    throw new SyncError("VAULT_ERROR", `${source.address}: no mount ${where(key)} on the source`, true);
  }
  if (mount.kvVersion === null) {
    throw new SyncError(
      "VAULT_ERROR",
      `${source.address}: ${where(key)} is a ${mount.type} mount, not KV`,
      false,
    );
  }
  return mount as MountInfo & { kvVersion: 1 | 2 };
}

export type DestinationRead =
  | {
      kind: "state";
      state: KeyState;
      full?: () => Promise<KeyState>;
      /** Read through the data path alone: the settings in `state` are placeholders (see DestinationReading). */
      settingsUnread?: true;
    }
  | { kind: "no-mount" }
  | { kind: "other-mount"; found: MountInfo };

/**
 * How much of a KV v2 key on a destination to read at first: "full", its metadata and live data;
 * "metadata", its data left UNREAD for `full` to read only if needed; "data", one read of its data
 * path, whose answer stands in for the metadata but for the settings (which `full` reads).
 */
export type DestinationReading = "full" | "metadata" | "data";

/**
 * The key on a destination. A namespace the destination lacks holds nothing: for a KV key, no
 * mount (made, with the namespace, when a sync may); for a policy, no policy.
 */
export async function readDestination(
  destination: SyncVault,
  key: SyncKey,
  sourceMount: MountInfo | null,
  now: number,
  reading: DestinationReading = "full",
): Promise<DestinationRead> {
  try {
    return await readDestinationIn(destination, key, sourceMount, now, reading);
  } catch (error) {
    if (!namespaceNotFound(error)) throw error;
    return sourceMount ? { kind: "no-mount" } : { kind: "state", state: emptyState(null) };
  }
}

async function readDestinationIn(
  destination: SyncVault,
  key: SyncKey,
  sourceMount: MountInfo | null,
  now: number,
  reading: DestinationReading,
): Promise<DestinationRead> {
  if (!sourceMount) return { kind: "state", state: await readKeyState(destination, key, null, now) };
  const found = await destination.mounts.find(key.namespace, key.mount);
  if (!found) return { kind: "no-mount" };
  if (found.kvVersion !== sourceMount.kvVersion) return { kind: "other-mount", found };
  if (reading === "metadata" && found.kvVersion === 2)
    return { kind: "state", ...(await readKv2Lazily(destination, refOf(key), now)) };
  if (reading === "data" && found.kvVersion === 2) {
    // No current version to read (no key, or metadata alone): only the metadata tells.
    const read = await readKv2DataOnly(destination, refOf(key), now);
    if (read) return { kind: "state", state: read.state, full: read.full, settingsUnread: true };
  }
  return { kind: "state", state: await readKeyState(destination, key, sourceMount.kvVersion, now) };
}

/**
 * The states to compare for one destination. When either was read lazily, its data is read now
 * unless the verification of both sides' metadata is the one recorded when they were last found
 * equal: then nothing either side holds has changed since, and the UNREAD data compares equal.
 */
export async function settle(
  source: SourceRead,
  destination: { state: KeyState; full?: () => Promise<KeyState> },
  verified: string | undefined,
): Promise<[KeyState, KeyState]> {
  if (!source.full && !destination.full) return [source.state, destination.state];
  const now = verificationOf(source.state, destination.state);
  if (now !== undefined && now === verified) return [source.state, destination.state];
  return Promise.all([
    source.full ? source.full() : source.state,
    destination.full ? destination.full() : destination.state,
  ]);
}

/**
 * The source's state to plan one destination from. Read through the data path alone, the source
 * lent no settings but custom_metadata: the destination's stand in for them, as a data-path write
 * leaves them as the last sync made them on both sides. A destination without the key has none
 * to lend: a first version has Vault's defaults; a later one means the destination lost the key
 * (or never had it), and the source's metadata is read.
 */
export async function sourceFor(source: SourceRead, destination: KeyState): Promise<KeyState> {
  const state = source.state;
  if (!source.settingsUnread || state.kind !== "kv2" || !state.metadata) return state;
  if (destination.kind === "kv2" && destination.metadata) {
    const settings = {
      ...destination.metadata.settings,
      custom_metadata: state.metadata.settings.custom_metadata,
    };
    return { ...state, metadata: { ...state.metadata, settings } };
  }
  if (state.current.version === 1 || !source.full) return state;
  return source.full();
}

/**
 * A short fingerprint of two KV v2 keys' metadata as they stand: each side's current version,
 * when it last changed, and that version's deletion state. Every data write, delete, undelete
 * and destroy changes one of these, so an equal fingerprint means neither side changed since it
 * was taken. undefined where there is no such metadata (KV v1, policies, an absent key).
 */
export function verificationOf(source: KeyState, destination: KeyState): string | undefined {
  if (source.kind !== "kv2" || destination.kind !== "kv2") return undefined;
  const a = source.metadata && stampOf(source.metadata);
  const b = destination.metadata && stampOf(destination.metadata);
  if (!a || !b) return undefined;
  return Bun.hash(`${a}\n${b}`).toString(36);
}

function stampOf(metadata: Kv2Metadata): string | undefined {
  if (!metadata.updated_time) return undefined;
  const current = metadata.versions[String(metadata.current_version)];
  return `${metadata.current_version}|${metadata.updated_time}|${current?.deletion_time ?? ""}|${current?.destroyed ?? false}`;
}

function hasAny(verified: Readonly<Record<string, string>> | undefined): boolean {
  if (!verified) return false;
  for (const value of Object.values(verified)) if (value !== "") return true;
  return false;
}

/** once(f): f runs at its first call; every call shares that answer. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () => {
    answer ??= read();
    return answer;
  };
}

/** What a key looks like on a Vault that has nothing for it. */
export function emptyState(kvVersion: 1 | 2 | null): KeyState {
  if (kvVersion === null) return { kind: "policy", text: null };
  return kvVersion === 1 ? { kind: "kv1", data: null } : ABSENT_KV2;
}

/** isAbsent({kind:"kv1", data:null}) → true */
export function isAbsent(state: KeyState): boolean {
  if (state.kind === "kv1") return state.data === null;
  if (state.kind === "policy") return state.text === null;
  return state.metadata === null;
}

/** Reads a key as stored on `vault`; `kvVersion` says how (null for a policy). */
export async function readKeyState(
  vault: SyncVault,
  key: SyncKey,
  kvVersion: 1 | 2 | null,
  now: number,
): Promise<KeyState> {
  if (key.kind === "policy")
    return { kind: "policy", text: await vault.policies.read(key.namespace, key.path) };
  if (kvVersion === 1) return { kind: "kv1", data: await vault.kv1.read(refOf(key)) };
  return readKv2State(vault, refOf(key), now);
}

async function readKv2State(vault: SyncVault, ref: KvRef, now: number): Promise<KeyState> {
  return completeKv2(vault, ref, await vault.kv2.readMetadata(ref), now);
}

/** The metadata only: a live current version's data is UNREAD, and `full` reads it. */
async function readKv2Lazily(
  vault: SyncVault,
  ref: KvRef,
  now: number,
): Promise<{ state: KeyState; full?: () => Promise<KeyState> }> {
  const metadata = await vault.kv2.readMetadata(ref);
  if (!metadata) return { state: ABSENT_KV2 };
  const version = metadata.current_version;
  const state = versionState(metadata.versions[String(version)], now);
  if (state !== "live") return { state: { kind: "kv2", metadata, current: { state, version } } };
  return {
    state: { kind: "kv2", metadata, current: { state: "live", version, data: UNREAD } },
    full: () => completeKv2(vault, ref, metadata, now),
  };
}

/**
 * A KV v2 key from one read of its data path, when that tells enough: a current version, live,
 * deleted or destroyed, whose answer carries the key's custom_metadata. Its metadata is made from
 * that answer, with Vault's default settings in place of the unread ones (see sourceFor) and no
 * updated_time, so it never vouches for a verification; `full` reads the key's metadata.
 * undefined when the metadata must be read: a clean 404 (no key, or metadata without versions:
 * only metadata tells) or a server whose data answers lack custom_metadata.
 */
async function readKv2DataOnly(
  vault: SyncVault,
  ref: KvRef,
  now: number,
): Promise<Omit<SourceRead, "mount"> | undefined> {
  const read = await vault.kv2.readData(ref);
  if (read.state === "absent" || read.info.custom_metadata === undefined) return undefined;
  const { created_time, deletion_time, custom_metadata } = read.info;
  const destroyed = read.state === "destroyed";
  const metadata: Kv2Metadata = {
    current_version: read.version,
    oldest_version: 0,
    settings: { ...DEFAULT_KV2_SETTINGS, custom_metadata },
    versions: { [String(read.version)]: { created_time, deletion_time, destroyed } },
  };
  const current: CurrentVersion =
    read.state === "live"
      ? { state: "live", version: read.version, data: read.data }
      : { state: read.state, version: read.version };
  return {
    state: { kind: "kv2", metadata, current },
    full: once(() => readKv2State(vault, ref, now)),
    settingsUnread: true,
  };
}

/** A key's state from its metadata, reading the current version's data when it is live. */
async function completeKv2(
  vault: SyncVault,
  ref: KvRef,
  metadata: Kv2Metadata | null,
  now: number,
): Promise<KeyState> {
  if (!metadata) return ABSENT_KV2;
  const version = metadata.current_version;
  const state = versionState(metadata.versions[String(version)], now);
  if (state !== "live") return { kind: "kv2", metadata, current: { state, version } };
  // The latest version, not `?version=N`: on a hot key, version N may already be pruned by
  // max_versions when the second read arrives. The answer names its own version and state.
  const read = await vault.kv2.readData(ref);
  if (read.state === "absent") {
    // Metadata named a version the data path does not know: the key was deleted between the reads.
    throw new SyncError(
      "VAULT_ERROR",
      `${vault.address}: ${ref.mount}${ref.path} changed while read`,
      true,
      "changed-while-read",
    );
  }
  const current: CurrentVersion =
    read.state === "live"
      ? { state: "live", version: read.version, data: read.data }
      : { state: read.state, version: read.version };
  return { kind: "kv2", metadata, current };
}

export function mountMissingMessage(destination: SyncVault, key: SyncKey, sourceMount: MountInfo): string {
  return (
    `${destination.address}: mount ${where(key)} does not exist; enable it there ` +
    `(type ${sourceMount.type}, KV v${sourceMount.kvVersion}) or turn on sync.create_mounts`
  );
}

export function otherMountMessage(destination: SyncVault, key: SyncKey, source: MountInfo, found: MountInfo) {
  return `${destination.address}: mount ${where(key)} is ${kindOf(found)}, the source's is ${kindOf(source)}`;
}

/** where({namespace: "team-a/", mount: "secret/"}) → "team-a/secret/" */
function where(key: SyncKey): string {
  return `${key.namespace}${key.mount}`;
}

/**
 * A problem syncing finds itself (not one Vault reported): a missing or mismatched mount, a key
 * that changed while it was being read.
 */
export class SyncError extends CourierError {
  override name = "SyncError";
  constructor(
    code: ErrorCode,
    message: string,
    /** Worth trying again later without anyone changing anything. */
    readonly transient: boolean,
    /** "changed-while-read" when another writer moved the key between two reads: a race. */
    readonly reason?: string,
  ) {
    super(code, message);
  }
}

/** refOf({kind:"kv", namespace:"", mount:"secret/", path:"a"}) → {namespace:"", mount:"secret/", path:"a"} */
export function refOf(key: SyncKey): KvRef {
  return { namespace: key.namespace, mount: key.mount, path: key.path };
}
